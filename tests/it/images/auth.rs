//! The auth route.

use super::*;

#[tokio::test]
async fn auth_accepts_credentials_only() {
    let server = TestServer::start().await;
    let (status, body) = server
        .post(
            &format!("{V1}/auth"),
            json!({"username": "u", "password": "secret", "serveraddress": "https://index.docker.io/v1/"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"Status": "Login Succeeded", "IdentityToken": ""})
    );
    let (status, _) = server
        .post(&format!("{V1}/auth"), json!({"identitytoken": "tok"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    for body in [
        json!({"username": "u"}),
        json!({"password": "p"}),
        json!({"username": "", "password": "p"}),
        json!({}),
    ] {
        let (status, reply) = server.post(&format!("{V1}/auth"), body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(message(&reply), "username and password are required");
    }
}
