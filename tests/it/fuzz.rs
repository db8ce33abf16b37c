//! Property-based fuzzing (proptest) of the parsers that read untrusted input:
//! `Route::parse`, `Filters::parse_any`, `Reference::parse`, the image-archive
//! reader and the process interpreter. cargo-fuzz needs a nightly toolchain,
//! which the project does not use; proptest runs on stable inside `cargo test`.
//!
//! A short seeded pass runs by default (256 cases per target). The long run:
//!
//! ```text
//! FUZZ_CASES=200000 cargo test --release --test it fuzz:: -- --nocapture
//! ```
//!
//! Every crash found becomes a plain `#[test]` at the end of this file.

use std::time::Duration;

use http::Method;
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sockerless::docker::filters::Filters;
use sockerless::internal_api::route::Route;
use sockerless::memory::archive::ArchiveReader;
use sockerless::memory::reference::Reference;
use sockerless::sim::interp::{ProcessContext, ProcessIo, Program, UnknownCommand, MAX_CHUNK};

/// Cases per target: `FUZZ_CASES`, or 256.
fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// A deterministic runner (fixed seed unless `FUZZ_SEED` is set), so the default
/// pass inside `cargo test` is reproducible.
fn runner(name: &str) -> TestRunner {
    let config = Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        max_shrink_iters: 2000,
        ..Config::default()
    };
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    for (i, b) in name.bytes().enumerate() {
        bytes[8 + i % 24] ^= b;
    }
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

fn report(name: &str, started: std::time::Instant) {
    eprintln!(
        "fuzz {name}: {} cases in {:.1?}",
        cases(),
        started.elapsed()
    );
}

// ---------------------------------------------------------------------------
// Route::parse

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{1,12}",
        "\\PC{1,20}",
        Just("..".to_string()),
        Just(".".to_string()),
        Just("prune".to_string()),
        Just("tag".to_string()),
        Just("a/b".to_string()),
        Just("x%2Fy".to_string()),
    ]
}

/// A (method, route) pair the parser must give back from its path.
fn route() -> impl Strategy<Value = (Method, Route)> {
    use Route::*;
    let id = segment();
    (0usize..33, id).prop_map(|(i, id)| {
        let (get, post, delete) = (Method::GET, Method::POST, Method::DELETE);
        match i {
            0 => (get, ContainerInspect(id)),
            1 => (delete, ContainerRemove(id)),
            2 => (post, ContainerStart(id)),
            3 => (post, ContainerStop(id)),
            4 => (post, ContainerKill(id)),
            5 => (post, ContainerRestart(id)),
            6 => (post, ContainerPause(id)),
            7 => (post, ContainerUnpause(id)),
            8 => (post, ContainerRename(id)),
            9 => (get, ContainerLogs(id)),
            10 => (get, ContainerLogsStream(id)),
            11 => (get, ContainerWait(id)),
            12 => (get, ContainerAttach(id)),
            13 => (get, ContainerTop(id)),
            14 => (get, ContainerStats(id)),
            15 => (post, ExecCreate(id)),
            16 => (get, ExecInspect(id)),
            17 => (post, ExecStart(id)),
            18 => (get, ExecStartStream(id)),
            19 => (get, ImageInspect(id)),
            20 => (delete, ImageRemove(id)),
            21 => (post, ImageTag(id)),
            22 => (get, NetworkInspect(id)),
            23 => (delete, NetworkRemove(id)),
            24 => (post, NetworkConnect(id)),
            25 => (post, NetworkDisconnect(id)),
            26 => (get, VolumeInspect(id)),
            27 => (delete, VolumeRemove(id)),
            28 => (post, ContainerCreate),
            29 => (get, ContainerList),
            30 => (post, ImagePull),
            31 => (get, Events),
            _ => (get, Capabilities),
        }
    })
}

/// The path of a route, its parameter fully percent-encoded.
fn path_of(route: &Route) -> String {
    use Route::*;
    let e = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
    let p = |s: &str| format!("/internal/v1/{s}");
    match route {
        ContainerInspect(id) | ContainerRemove(id) => p(&format!("containers/{}", e(id))),
        ContainerStart(id) => p(&format!("containers/{}/start", e(id))),
        ContainerStop(id) => p(&format!("containers/{}/stop", e(id))),
        ContainerKill(id) => p(&format!("containers/{}/kill", e(id))),
        ContainerRestart(id) => p(&format!("containers/{}/restart", e(id))),
        ContainerPause(id) => p(&format!("containers/{}/pause", e(id))),
        ContainerUnpause(id) => p(&format!("containers/{}/unpause", e(id))),
        ContainerRename(id) => p(&format!("containers/{}/rename", e(id))),
        ContainerLogs(id) => p(&format!("containers/{}/logs", e(id))),
        ContainerLogsStream(id) => p(&format!("containers/{}/logs/stream", e(id))),
        ContainerWait(id) => p(&format!("containers/{}/wait", e(id))),
        ContainerAttach(id) => p(&format!("containers/{}/attach", e(id))),
        ContainerTop(id) => p(&format!("containers/{}/top", e(id))),
        ContainerStats(id) => p(&format!("containers/{}/stats", e(id))),
        ExecCreate(id) => p(&format!("containers/{}/exec", e(id))),
        ExecInspect(id) => p(&format!("exec/{}", e(id))),
        ExecStart(id) | ExecStartStream(id) => p(&format!("exec/{}/start", e(id))),
        ImageInspect(id) | ImageRemove(id) => p(&format!("images/{}", e(id))),
        ImageTag(id) => p(&format!("images/{}/tag", e(id))),
        NetworkInspect(id) | NetworkRemove(id) => p(&format!("networks/{}", e(id))),
        NetworkConnect(id) => p(&format!("networks/{}/connect", e(id))),
        NetworkDisconnect(id) => p(&format!("networks/{}/disconnect", e(id))),
        VolumeInspect(id) | VolumeRemove(id) => p(&format!("volumes/{}", e(id))),
        ContainerCreate | ContainerList => p("containers"),
        ImagePull => p("images/pull"),
        Events => p("events"),
        _ => p("capabilities"),
    }
}

fn any_method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::GET),
        Just(Method::POST),
        Just(Method::DELETE),
        Just(Method::PUT),
        Just(Method::PATCH),
        Just(Method::HEAD),
    ]
}

/// Paths made of route-like pieces and junk.
fn any_path() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("internal".to_string()),
        Just("v1".to_string()),
        Just("containers".to_string()),
        Just("images".to_string()),
        Just("exec".to_string()),
        Just("networks".to_string()),
        Just("volumes".to_string()),
        Just("start".to_string()),
        Just("tag".to_string()),
        Just("logs".to_string()),
        Just("stream".to_string()),
        Just("".to_string()),
        Just("%".to_string()),
        Just("%ff".to_string()),
        Just("%00".to_string()),
        Just("%2F".to_string()),
        "\\PC{0,8}",
    ];
    (any::<bool>(), prop::collection::vec(piece, 0..8)).prop_map(|(prefix, v)| {
        let tail = v.join("/");
        if prefix {
            format!("/internal/v1/{tail}")
        } else {
            format!("/{tail}")
        }
    })
}

#[test]
fn fuzz_route_parse() {
    let started = std::time::Instant::now();
    let mut r = runner("route");
    r.run(&(route()), |(method, want)| {
        let path = path_of(&want);
        let got = Route::parse(&method, &path);
        prop_assert_eq!(got.as_ref().ok(), Some(&want), "{} {}", method, path);
        Ok(())
    })
    .unwrap();
    r.run(&(any_method(), any_path()), |(method, path)| {
        // Never panics; an error is 400/404/405 and never a 5xx.
        if let Err(e) = Route::parse(&method, &path) {
            let s = e.status().as_u16();
            prop_assert!(matches!(s, 400 | 404 | 405), "{path}: {s}");
        }
        Ok(())
    })
    .unwrap();
    report("route", started);
}

// ---------------------------------------------------------------------------
// Filters::parse_any

fn filter_doc() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("label".to_string()),
        Just("status".to_string()),
        Just("name".to_string()),
        "\\PC{0,6}",
    ];
    let val = "\\PC{0,10}";
    prop_oneof![
        prop::collection::btree_map(key.clone(), prop::collection::vec(val, 0..4), 0..4)
            .prop_map(|m| json!(m)),
        prop::collection::btree_map(
            key,
            prop::collection::btree_map("\\PC{0,8}", any::<bool>(), 0..3),
            0..4
        )
        .prop_map(|m| json!(m)),
    ]
}

fn filters_json(f: &Filters) -> String {
    let mut m = serde_json::Map::new();
    for k in f.keys() {
        m.insert(k.to_string(), json!(f.get(k)));
    }
    Value::Object(m).to_string()
}

#[test]
fn fuzz_filters_parse() {
    let started = std::time::Instant::now();
    let mut r = runner("filters");
    // Random text: never panics.
    r.run(&"\\PC{0,60}", |s| {
        let _ = Filters::parse_any(Some(&s));
        Ok(())
    })
    .unwrap();
    // Random JSON-ish text built from filter syntax.
    let tokens = prop::collection::vec(
        prop_oneof![
            Just("{"),
            Just("}"),
            Just("["),
            Just("]"),
            Just(":"),
            Just(","),
            Just("\"label\""),
            Just("\"a=b\""),
            Just("true"),
            Just("null"),
            Just("5"),
            Just("\"\\u0000\""),
        ],
        0..20,
    );
    r.run(&tokens, |t| {
        let _ = Filters::parse_any(Some(&t.concat()));
        Ok(())
    })
    .unwrap();
    // Valid documents: parse, format, parse again gives the same filters.
    r.run(&filter_doc(), |doc| {
        let raw = doc.to_string();
        let f = Filters::parse_any(Some(&raw));
        prop_assert!(f.is_ok(), "{raw}: {f:?}");
        let f = f.unwrap();
        let again = Filters::parse_any(Some(&filters_json(&f)));
        prop_assert_eq!(again.as_ref().ok(), Some(&f), "{}", raw);
        Ok(())
    })
    .unwrap();
    report("filters", started);
}

// ---------------------------------------------------------------------------
// Reference::parse

fn reference_text() -> impl Strategy<Value = String> {
    let comp = "[a-z0-9]{1,6}([._-][a-z0-9]{1,4})?";
    let domain = prop_oneof![
        Just(String::new()),
        Just("docker.io/".to_string()),
        Just("index.docker.io/".to_string()),
        Just("localhost:5000/".to_string()),
        "[a-z]{1,6}\\.[a-z]{2,3}(:[0-9]{1,5})?/",
    ];
    let tag = prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,10}".prop_map(|t| format!(":{t}")),
    ];
    let digest = prop_oneof![
        3 => Just(String::new()),
        1 => "[0-9a-f]{64}".prop_map(|h| format!("@sha256:{h}")),
    ];
    (domain, prop::collection::vec(comp, 1..4), tag, digest)
        .prop_map(|(d, path, t, g)| format!("{d}{}{t}{g}", path.join("/")))
}

#[test]
fn fuzz_reference_parse() {
    let started = std::time::Instant::now();
    let mut r = runner("reference");
    r.run(&"\\PC{0,80}", |s| {
        let _ = Reference::parse(&s);
        Ok(())
    })
    .unwrap();
    r.run(&"[a-zA-Z0-9:/@._-]{0,40}", |s| {
        if let Ok(reference) = Reference::parse(&s) {
            for shown in [
                reference.familiar(),
                reference.canonical(),
                reference.to_string(),
            ] {
                let again = Reference::parse(&shown);
                prop_assert_eq!(again.as_ref().ok(), Some(&reference), "{} → {}", s, shown);
            }
        }
        Ok(())
    })
    .unwrap();
    r.run(&reference_text(), |s| {
        let reference = Reference::parse(&s);
        prop_assert!(reference.is_ok(), "{s}: {reference:?}");
        let reference = reference.unwrap();
        for shown in [reference.familiar(), reference.canonical()] {
            let again = Reference::parse(&shown);
            prop_assert_eq!(again.as_ref().ok(), Some(&reference), "{} → {}", s, shown);
        }
        Ok(())
    })
    .unwrap();
    report("reference", started);
}

// ---------------------------------------------------------------------------
// ArchiveReader

fn sha(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn append(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    b.append_data(&mut h, path, data).expect("tar");
}

/// A small, valid `docker save` archive.
fn valid_archive() -> Vec<u8> {
    let config =
        br#"{"architecture":"amd64","os":"linux","config":{"Cmd":["true"]},"rootfs":{"type":"layers","diff_ids":[]}}"#;
    let ch = sha(config);
    let manifest = json!([{"Config": format!("{ch}.json"), "RepoTags": ["fuzz:1"], "Layers": ["l/layer.tar"]}]);
    let mut b = tar::Builder::new(Vec::new());
    append(&mut b, "l/layer.tar", &[7u8; 700]);
    append(&mut b, &format!("{ch}.json"), config);
    append(&mut b, "manifest.json", manifest.to_string().as_bytes());
    b.into_inner().expect("tar")
}

fn load(bytes: &[u8], chunks: &[usize]) -> Result<usize, String> {
    let mut reader = ArchiveReader::new();
    let mut rest = bytes;
    let mut i = 0;
    while !rest.is_empty() {
        let n = chunks
            .get(i % chunks.len().max(1))
            .copied()
            .unwrap_or(rest.len())
            .clamp(1, rest.len());
        reader.push(&rest[..n]).map_err(|e| e.to_string())?;
        rest = &rest[n..];
        i += 1;
    }
    reader
        .finish()
        .map(|images| images.len())
        .map_err(|e| e.to_string())
}

#[test]
fn fuzz_archive_reader() {
    let started = std::time::Instant::now();
    let valid = valid_archive();
    assert_eq!(load(&valid, &[]), Ok(1));
    let mut r = runner("archive");
    // Random bytes are never an image archive.
    r.run(
        &(
            prop::collection::vec(any::<u8>(), 0..4096),
            prop::collection::vec(1usize..700, 0..4),
        ),
        |(bytes, chunks)| {
            let got = load(&bytes, &chunks);
            prop_assert!(got.is_err(), "garbage accepted: {got:?}");
            Ok(())
        },
    )
    .unwrap();
    // Any chunking of the valid archive gives the same result.
    r.run(&prop::collection::vec(1usize..1500, 1..6), |chunks| {
        prop_assert_eq!(load(&valid, &chunks), Ok(1));
        Ok(())
    })
    .unwrap();
    // Mutated valid archives: flipped bytes, truncation, insertion. No panic;
    // a result is an image list or an error.
    let len = valid.len();
    r.run(
        &(
            prop::collection::vec((0..len, any::<u8>()), 1..8),
            prop::option::of(0..len),
            prop::option::of((0..len, prop::collection::vec(any::<u8>(), 1..600))),
            prop::collection::vec(1usize..900, 0..3),
        ),
        |(flips, cut, insert, chunks)| {
            let mut bytes = valid.clone();
            for (i, b) in flips {
                bytes[i] = b;
            }
            if let Some((at, extra)) = insert {
                let tail = bytes.split_off(at.min(bytes.len()));
                bytes.extend(extra);
                bytes.extend(tail);
            }
            if let Some(c) = cut {
                bytes.truncate(c);
            }
            let _ = load(&bytes, &chunks);
            Ok(())
        },
    )
    .unwrap();
    report("archive", started);
}

// ---------------------------------------------------------------------------
// Program::parse + run

fn script() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("echo"),
        Just("printf"),
        Just("'%s\\n'"),
        Just("true"),
        Just("false"),
        Just("exit"),
        Just("sleep"),
        Just("infinity"),
        Just("cat"),
        Just("env"),
        Just("pwd"),
        Just("id"),
        Just("seq"),
        Just("head"),
        Just("-n"),
        Just("tail"),
        Just("-f"),
        Just("read"),
        Just("test"),
        Just("["),
        Just("]"),
        Just("export"),
        Just("set"),
        Just("-e"),
        Just("shift"),
        Just("wait"),
        Just("exec"),
        Just("sh"),
        Just("-c"),
        Just("nginx"),
        Just("$X"),
        Just("${X:-d}"),
        Just("${X:?err}"),
        Just("${#X}"),
        Just("$?"),
        Just("$@"),
        Just("$(echo hi)"),
        Just("`"),
        Just("\""),
        Just("'"),
        Just("\\"),
        Just(";"),
        Just("&&"),
        Just("||"),
        Just("|"),
        Just("&"),
        Just("!"),
        Just(">&2"),
        Just("2>&1"),
        Just(">/dev/null"),
        Just("</dev/stdin"),
        Just("X=1"),
        Just("#"),
        Just("\n"),
        Just("0"),
        Just("1"),
        Just("3"),
        Just("255"),
        Just("-1"),
        Just("0.5"),
        Just("99999999999999999999"),
        Just("$("),
        Just(")"),
        Just("${"),
        Just("}"),
        // Compound commands, functions, here-documents, arithmetic.
        Just("if"),
        Just("then"),
        Just("else"),
        Just("fi"),
        Just("for"),
        Just("in"),
        Just("do"),
        Just("done"),
        Just("while"),
        Just("until"),
        Just("case"),
        Just("esac"),
        Just(";;"),
        Just("{"),
        Just("("),
        Just("f()"),
        Just("f"),
        Just("return"),
        Just("break"),
        Just("local"),
        Just("trap"),
        Just("<<EOF"),
        Just("<<-'EOF'"),
        Just("EOF"),
        Just("$(("),
        Just("X+1"),
        Just("))"),
        Just("${X##*/}"),
    ];
    prop_oneof![
        3 => prop::collection::vec(token, 0..24).prop_map(|t| t.join(" ")),
        1 => "\\PC{0,40}",
    ]
}

fn argv() -> impl Strategy<Value = Vec<String>> {
    prop_oneof![
        script().prop_map(|s| vec!["sh".to_string(), "-c".to_string(), s]),
        script().prop_map(|s| vec!["/bin/bash".to_string(), "-ec".to_string(), s]),
        script().prop_map(|s| s.split(' ').map(str::to_string).collect()),
        prop::collection::vec("\\PC{0,10}", 0..5),
    ]
}

/// Runs a program under a paused clock for at most an hour of virtual time;
/// the output is bounded so a runaway `seq` fails the property, not the machine.
fn run_program(
    rt: &tokio::runtime::Runtime,
    argv: &[String],
    stdin: Option<Vec<u8>>,
    env: Vec<String>,
) {
    for unknown in [UnknownCommand::RunForever, UnknownCommand::Echo] {
        let program = Program::parse(argv, unknown);
        let ctx = ProcessContext {
            env: env.clone(),
            open_stdin: stdin.is_some(),
            ..ProcessContext::default()
        };
        let _ = program.runs_forever(&ctx);
        rt.block_on(async {
            let (tx, mut rx) = tokio::sync::mpsc::channel(16);
            let stdin = stdin.clone().map(|data| {
                let (stx, srx) = tokio::sync::mpsc::channel(4);
                tokio::spawn(async move {
                    let _ = stx.send(bytes::Bytes::from(data)).await;
                });
                srx
            });
            let mut io = ProcessIo { stdin, output: tx };
            let run = async {
                let _ = tokio::time::timeout(Duration::from_secs(3600), program.run(&ctx, &mut io))
                    .await;
                drop(io);
            };
            // The channel is bounded: read while the program runs, and stop
            // reading (the program then waits until the timeout) at 64 MiB.
            let collect = async {
                let mut total = 0usize;
                while let Some((_, chunk)) = rx.recv().await {
                    assert!(
                        chunk.len() <= MAX_CHUNK,
                        "{argv:?} wrote a chunk of {}",
                        chunk.len()
                    );
                    total += chunk.len();
                    if total >= 64 << 20 {
                        break;
                    }
                }
                total
            };
            let ((), total) = tokio::join!(run, collect);
            assert!(total < 64 << 20, "{argv:?} wrote {total} bytes");
        });
    }
}

#[test]
fn fuzz_interpreter() {
    let started = std::time::Instant::now();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    let mut r = runner("interp");
    r.run(
        &(
            argv(),
            prop::option::of(prop::collection::vec(any::<u8>(), 0..64)),
            prop::collection::vec("[A-Z]{1,3}=\\PC{0,6}", 0..3),
        ),
        |(argv, stdin, env)| {
            run_program(&rt, &argv, stdin, env);
            Ok(())
        },
    )
    .unwrap();
    report("interp", started);
}

// ---------------------------------------------------------------------------
// Regression tests: inputs the fuzzers found.
