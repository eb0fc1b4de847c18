//! A small gRPC client for the commands that talk to a running server.

use accord::train::HeadEvaluation;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;

use accord::grpc::v1::admin_client::AdminClient;
use accord::grpc::v1::classifier_client::ClassifierClient;
use accord::grpc::v1::{GetModelInfoRequest, ModelInfo, ReloadModelRequest, ReloadModelResponse};

/// Where the server is and how to authenticate as its operator.
#[derive(clap::Args, Debug, Clone)]
pub struct ServerArgs {
    /// The running server's address.
    #[arg(long, env = "ACCORD_SERVER", default_value = "http://127.0.0.1:50051")]
    pub server: String,
    /// Bearer token for the Admin service (the server's --admin-token).
    #[arg(long, env = "ACCORD_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
}

impl ServerArgs {
    async fn channel(&self) -> anyhow::Result<Channel> {
        let endpoint = Channel::from_shared(self.server.clone())?;
        endpoint.connect().await.map_err(|e| anyhow::anyhow!("cannot reach {}: {e}", self.server))
    }

    /// The served model's description.
    pub async fn model_info(&self) -> anyhow::Result<ModelInfo> {
        let mut client = ClassifierClient::new(self.channel().await?);
        Ok(client.get_model_info(GetModelInfoRequest {}).await?.into_inner())
    }

    /// Asks the server to load `version` (empty: the CURRENT pointer) and swap it in.
    pub async fn reload(&self, version: &str) -> anyhow::Result<ReloadModelResponse> {
        let token = self
            .admin_token
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("an admin token is needed (--admin-token or ACCORD_ADMIN_TOKEN)"))?;
        let mut request = tonic::Request::new(ReloadModelRequest { version: version.to_owned() });
        let value: MetadataValue<_> = format!("Bearer {token}").parse()?;
        request.metadata_mut().insert("authorization", value);
        let mut client = AdminClient::new(self.channel().await?);
        Ok(client.reload_model(request).await?.into_inner())
    }
}

/// The held-out figures a served model reports, in the core's terms.
pub fn evaluations(info: &ModelInfo) -> Vec<HeadEvaluation> {
    info.heads
        .iter()
        .filter_map(|head| {
            let metrics = head.metrics.as_ref()?;
            Some(HeadEvaluation {
                head: head.name.clone(),
                labels: head.labels.clone(),
                train_documents: metrics.train_documents as usize,
                test_documents: metrics.test_documents as usize,
                accuracy: metrics.accuracy,
                macro_f1: metrics.macro_f1,
                confusion: Vec::new(),
                calibration_error: metrics.expected_calibration_error,
                temperature: metrics.temperature,
            })
        })
        .collect()
}
