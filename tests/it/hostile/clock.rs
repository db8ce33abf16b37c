//! Round two, defect 7: the clock cannot be set before 1970 (nor past year
//! 9999), so every record's time can be written to the state document.

use http::{Method, StatusCode};
use serde_json::json;

use crate::common::*;

const CLOCK: &str = "/internal/v1/memory/clock";
const STATE: &str = "/internal/v1/memory/state";

#[tokio::test]
async fn clock_readings_the_state_cannot_hold_are_refused() {
    let s = TestServer::with_alpine().await;
    for (body, says) in [
        (
            json!({"set": "1969-12-31T23:59:59Z"}),
            "before 1970-01-01T00:00:00Z",
        ),
        (
            json!({"set": "1900-01-01T00:00:00Z"}),
            "before 1970-01-01T00:00:00Z",
        ),
    ] {
        let (status, reply) = s.post(CLOCK, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {reply}");
        let message = reply["message"].as_str().expect("message");
        assert!(message.contains(says), "{message}");
    }
    // Advancing past year 9999 is refused before it happens, never a panic.
    let (status, _) = s.post(CLOCK, json!({"set": "9999-01-01T00:00:00Z"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, reply) = s.post(CLOCK, json!({"advance": "9000h"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
    let (status, _) = s.post(CLOCK, json!({"set": "1970-01-01T00:00:00Z"})).await;
    assert_eq!(status, StatusCode::OK);
    // At the earliest reading, records are written and loaded back.
    s.run("early", json!({"Cmd": ["true"]})).await;
    s.exited("early").await;
    let state = s.call(Method::GET, STATE, None).await;
    assert_eq!(state.status, StatusCode::OK, "{}", state.text());
    let back = s.call(Method::PUT, STATE, Some(state.json())).await;
    assert_eq!(back.status, StatusCode::NO_CONTENT, "{}", back.text());
}
