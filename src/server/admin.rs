//! `accord.v1.Admin`: operator calls, served only when an admin token is configured.

use std::sync::Arc;

use subtle::ConstantTimeEq;
use tonic::metadata::MetadataMap;
use tonic::{Request, Response, Status};

use super::error::ServiceError;
use super::logging::{CallLog, CallOrigin, CallSize};
use super::reload::Reloader;
use accord::grpc::v1::admin_server::Admin;
use accord::grpc::v1::{ReloadModelRequest, ReloadModelResponse};

/// The bearer token callers must present. Never printed: `Debug` hides it.
#[derive(Clone)]
pub struct AdminToken(Arc<[u8]>);

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

impl AdminToken {
    pub fn new(token: &str) -> Self {
        Self(token.as_bytes().into())
    }

    /// Accepts `authorization: Bearer <token>`, comparing in constant time.
    pub fn check(&self, metadata: &MetadataMap) -> Result<(), ServiceError> {
        let presented = metadata
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(ServiceError::Unauthenticated)?;
        if bool::from(presented.as_bytes().ct_eq(&self.0)) {
            Ok(())
        } else {
            Err(ServiceError::Unauthenticated)
        }
    }
}

/// The Admin service.
#[derive(Debug)]
pub struct AdminService {
    reloader: Arc<Reloader>,
    token: AdminToken,
}

impl AdminService {
    pub fn new(reloader: Arc<Reloader>, token: AdminToken) -> Self {
        Self { reloader, token }
    }
}

#[tonic::async_trait]
impl Admin for AdminService {
    async fn reload_model(
        &self,
        request: Request<ReloadModelRequest>,
    ) -> Result<Response<ReloadModelResponse>, Status> {
        let origin = CallOrigin::of(&request);
        let call = CallLog::start(&self.reloader.state().metrics, "ReloadModel", &origin, CallSize::default());
        let reloaded = call
            .observe(async {
                self.token.check(request.metadata())?;
                let version = Some(request.into_inner().version).filter(|v| !v.is_empty());
                self.reloader.reload(version).await
            })
            .await?;
        Ok(Response::new(ReloadModelResponse { version: reloaded.version, previous_version: reloaded.previous }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(value: &str) -> MetadataMap {
        let mut map = MetadataMap::new();
        map.insert("authorization", value.parse().expect("ascii metadata"));
        map
    }

    #[test]
    fn accepts_only_the_exact_bearer_token() {
        let token = AdminToken::new("s3cret");
        assert!(token.check(&metadata("Bearer s3cret")).is_ok());
        assert!(token.check(&metadata("Bearer s3cre")).is_err());
        assert!(token.check(&metadata("Bearer s3cret2")).is_err());
        assert!(token.check(&metadata("s3cret")).is_err());
        assert!(token.check(&MetadataMap::new()).is_err());
    }

    #[test]
    fn debug_output_hides_the_token() {
        assert!(!format!("{:?}", AdminToken::new("s3cret")).contains("s3cret"));
    }
}
