//! Label overrides of a simulated process: exit code, stdout/stderr, run-for.

use super::*;

#[tokio::test]
async fn label_exit_code_overrides_the_outcome() {
    let s = TestServer::with_alpine().await;
    s.run(
        "code",
        json!({"Cmd": ["sleep", "infinity"], "Labels": {"sockerless.memory.exit-code": "42"}}),
    )
    .await;
    assert_eq!(s.exited("code").await["ExitCode"], 42);
    assert_eq!(s.wait("code", "not-running").await["StatusCode"], 42);
    assert!(s.logs("code", "stdout=1&stderr=1").await.is_empty());
}

#[tokio::test]
async fn label_stdout_and_stderr_are_written() {
    let s = TestServer::with_alpine().await;
    s.run(
        "said",
        json!({"Cmd": ["nginx"], "Labels": {
            "sockerless.memory.stdout": "ready to serve",
            "sockerless.memory.stderr": "a warning"
        }}),
    )
    .await;
    let st = s.exited("said").await;
    assert_eq!(st["ExitCode"], 0);
    let all = s.logs("said", "stdout=1&stderr=1").await;
    let out: Vec<_> = all
        .iter()
        .filter(|r| r["Stream"] == "stdout")
        .cloned()
        .collect();
    let err: Vec<_> = all
        .iter()
        .filter(|r| r["Stream"] == "stderr")
        .cloned()
        .collect();
    assert_eq!(data(&out), "ready to serve\n");
    assert_eq!(data(&err), "a warning\n");

    // stdout alone, with an exit code.
    s.run(
        "said2",
        json!({"Cmd": ["true"], "Labels": {
            "sockerless.memory.stdout": "only out\n",
            "sockerless.memory.exit-code": "5"
        }}),
    )
    .await;
    assert_eq!(s.exited("said2").await["ExitCode"], 5);
    assert_eq!(
        data(&s.logs("said2", "stdout=1&stderr=1").await),
        "only out\n"
    );
}

#[tokio::test]
async fn label_run_for_exits_after_the_duration() {
    let s = TestServer::with_alpine().await;
    let before = tokio::time::Instant::now();
    s.run(
        "brief",
        json!({"Cmd": ["sleep", "infinity"], "Labels": {"sockerless.memory.run-for": "600ms"}}),
    )
    .await;
    // (Long enough for the inspect below to come first on a loaded machine:
    // at 40-60 ms it lost the race under a load average of 20.)
    assert_eq!(s.state("brief").await["Status"], "running");
    let st = s.exited("brief").await;
    assert!(before.elapsed() >= Duration::from_millis(600));
    assert_eq!(st["ExitCode"], 0);

    // With an exit code and output.
    s.run(
        "brief2",
        json!({"Cmd": ["postgres"], "Labels": {
            "sockerless.memory.run-for": "600ms",
            "sockerless.memory.exit-code": "9",
            "sockerless.memory.stdout": "done"
        }}),
    )
    .await;
    assert_eq!(s.state("brief2").await["Status"], "running");
    assert_eq!(s.exited("brief2").await["ExitCode"], 9);
    assert_eq!(data(&s.logs("brief2", "stdout=1").await), "done\n");

    // A command that ends sooner than run-for ends with its own status.
    s.run(
        "brief3",
        json!({"Cmd": ["sh", "-c", "exit 4"], "Labels": {"sockerless.memory.run-for": "10s"}}),
    )
    .await;
    assert_eq!(s.exited("brief3").await["ExitCode"], 4);
}
