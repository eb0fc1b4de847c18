//! What must never reach the log, even at the most verbose level (`RUST_LOG=trace`, which
//! turns on tonic's, hyper's and h2's own logging too): the admin token, and article text.

mod common;

use common::pb::admin_client::AdminClient;
use common::pb::ReloadModelRequest;
use common::{pb, Server, SPORTS_COOPERATION};
use tonic::Request;

const TOKEN: &str = "Tok3nNeverLogged";
const SECRET_WORD: &str = "Xylophonequuxword";

fn reload(token: &str) -> Request<ReloadModelRequest> {
    let mut request = Request::new(ReloadModelRequest { version: "default".into() });
    request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().expect("ascii"));
    request
}

#[tokio::test]
async fn at_trace_level_neither_the_admin_token_nor_article_text_is_logged() {
    let env = [("RUST_LOG", "trace"), ("ACCORD_ADMIN_TOKEN", TOKEN)];
    let server = Server::start_with(common::fixture_models_dir(), &[], &env);
    let mut admin = AdminClient::new(server.channel().await);
    admin.reload_model(reload(TOKEN)).await.expect("the right token reloads");
    let wrong = format!("{TOKEN}x");
    admin.reload_model(reload(&wrong)).await.expect_err("a wrong token is refused");

    let mut client = server.client().await;
    let text = format!("{SPORTS_COOPERATION} {SECRET_WORD}");
    let request = pb::ClassifyRequest {
        article: common::article("s", SECRET_WORD, &text),
        explain: 5,
        sentences: true,
        relations: false,
    };
    client.classify(request).await.expect("classified");
    let tokenize = pb::TokenizeRequest { article: common::article("t", "", SECRET_WORD) };
    client.tokenize(tokenize).await.expect("tokenized");
    let empty = pb::ClassifyRequest { article: common::article("e", SECRET_WORD, " "), ..Default::default() };
    client.classify(empty).await.expect_err("blank text refused");
    drop((admin, client));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let log = server.log();
    assert!(log.lines().count() > 20, "trace logging is on:\n{log}");
    assert!(log.contains("model reloaded"), "{log}");
    let lowercase = log.to_lowercase();
    assert!(!lowercase.contains(&TOKEN.to_lowercase()), "the admin token was logged:\n{log}");
    assert!(!lowercase.contains(&SECRET_WORD.to_lowercase()), "article text was logged:\n{log}");
}
