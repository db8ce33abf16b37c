//! Unit tests of the archive reader: `docker save` and OCI layouts, chunking,
//! long names, limits and malformed input.

use super::*;
use serde_json::json;

fn append(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    b.append_data(&mut h, path, data).expect("append");
}

fn append_ustar(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut h = tar::Header::new_ustar();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_entry_type(tar::EntryType::Regular);
    b.append_data(&mut h, path, data).expect("append");
}

fn append_dir(b: &mut tar::Builder<Vec<u8>>, path: &str) {
    let mut h = tar::Header::new_gnu();
    h.set_size(0);
    h.set_mode(0o755);
    h.set_entry_type(tar::EntryType::Directory);
    b.append_data(&mut h, path, &[][..]).expect("append dir");
}

fn sha(data: &[u8]) -> String {
    sha256_hex(data)
}

fn layer(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(seed) | 0x80)
        .collect()
}

/// A legacy+OCI docker save archive of two images.
fn docker_save() -> (Vec<u8>, Vec<String>) {
    let c1 = serde_json::to_vec(
        &json!({"architecture":"amd64","os":"linux","config":{"Cmd":["nginx"]}}),
    )
    .expect("json");
    let c2 =
        serde_json::to_vec(&json!({"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]}}))
            .expect("json");
    let (h1, h2) = (sha(&c1), sha(&c2));
    let manifest = json!([
        {"Config": format!("blobs/sha256/{h1}"), "RepoTags": ["nginx:latest", "nginx:1.27"],
         "Layers": ["blobs/sha256/aaaa", "blobs/sha256/bbbb"]},
        {"Config": format!("{h2}.json"), "RepoTags": null, "Layers": ["abc/layer.tar"]}
    ]);
    let mut b = tar::Builder::new(Vec::new());
    append_dir(&mut b, "blobs/");
    append_dir(&mut b, "blobs/sha256/");
    append(&mut b, "blobs/sha256/aaaa", &layer(3, 5000));
    append(&mut b, "blobs/sha256/bbbb", &layer(7, 1536));
    append(&mut b, &format!("blobs/sha256/{h1}"), &c1);
    append_dir(&mut b, "abc/");
    append(&mut b, "abc/layer.tar", &layer(5, 700));
    append(&mut b, "abc/VERSION", b"1.0");
    append(&mut b, &format!("{h2}.json"), &c2);
    append(
        &mut b,
        "index.json",
        b"{\"schemaVersion\":2,\"manifests\":[]}",
    );
    append(
        &mut b,
        "manifest.json",
        &serde_json::to_vec(&manifest).expect("json"),
    );
    append(&mut b, "repositories", b"{\"nginx\":{\"latest\":\"x\"}}");
    (
        b.into_inner().expect("tar"),
        vec![format!("sha256:{h1}"), format!("sha256:{h2}")],
    )
}

/// An OCI layout with blobs before index.json, nested index one level deep.
fn oci_layout() -> (Vec<u8>, String) {
    let config = br#"{"architecture":"amd64","os":"linux","config":{"Env":["A=1"]}}"#.to_vec();
    let ch = sha(&config);
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": MEDIA_OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": format!("sha256:{ch}"), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": "sha256:1111", "size": 3000}]
    })).expect("json");
    let mh = sha(&manifest);
    let nested = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": MEDIA_OCI_INDEX,
        "manifests": [
            {"mediaType": MEDIA_OCI_MANIFEST, "digest": "sha256:ffff", "size": 1,
             "platform": {"os": "linux", "architecture": "arm64"}},
            {"mediaType": MEDIA_OCI_MANIFEST, "digest": format!("sha256:{mh}"), "size": manifest.len(),
             "platform": {"os": "linux", "architecture": "amd64"}},
            {"mediaType": MEDIA_OCI_MANIFEST, "digest": "sha256:eeee", "size": 1,
             "annotations": {"vnd.docker.reference.type": "attestation-manifest"},
             "platform": {"os": "unknown", "architecture": "unknown"}}
        ]
    })).expect("json");
    let nh = sha(&nested);
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "manifests": [
            {"mediaType": MEDIA_OCI_MANIFEST, "digest": format!("sha256:{mh}"), "size": manifest.len(),
             "annotations": {"io.containerd.image.name": "docker.io/library/app:1.0",
                             "org.opencontainers.image.ref.name": "1.0"}},
            {"mediaType": MEDIA_OCI_INDEX, "digest": format!("sha256:{nh}"), "size": nested.len(),
             "annotations": {"org.opencontainers.image.ref.name": "example.com/app:2.0"}},
            {"mediaType": MEDIA_OCI_MANIFEST, "digest": format!("sha256:{mh}"), "size": manifest.len(),
             "annotations": {"org.opencontainers.image.ref.name": "latest"}}
        ]
    })).expect("json");
    let mut b = tar::Builder::new(Vec::new());
    append(&mut b, "blobs/sha256/1111", &layer(11, 3000));
    append(&mut b, &format!("blobs/sha256/{ch}"), &config);
    append(&mut b, &format!("blobs/sha256/{mh}"), &manifest);
    append(&mut b, &format!("blobs/sha256/{nh}"), &nested);
    append(&mut b, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#);
    append(&mut b, "index.json", &index);
    (b.into_inner().expect("tar"), format!("sha256:{ch}"))
}

fn read_chunks(data: &[u8], chunk: usize) -> Result<Vec<LoadedImage>, ArchiveError> {
    let mut r = ArchiveReader::new();
    for c in data.chunks(chunk.max(1)) {
        r.push(c)?;
    }
    r.finish()
}

#[test]
fn docker_save_two_images() {
    let (tar, digests) = docker_save();
    let images = read_chunks(&tar, tar.len()).expect("load");
    assert_eq!(images.len(), 2);
    assert_eq!(images[0].repo_tags, vec!["nginx:latest", "nginx:1.27"]);
    assert_eq!(images[0].config_digest, digests[0]);
    assert_eq!(images[0].config["config"]["Cmd"][0], "nginx");
    assert!(images[1].repo_tags.is_empty());
    assert_eq!(images[1].config_digest, digests[1]);
}

#[test]
fn chunk_sizes_agree() {
    for (tar, _) in [docker_save(), (oci_layout().0, vec![])] {
        let whole = read_chunks(&tar, tar.len()).expect("whole");
        for size in [1, 7, 511, 512, 513, 4096] {
            assert_eq!(
                read_chunks(&tar, size).expect("chunked"),
                whole,
                "chunk {size}"
            );
        }
    }
}

#[test]
fn oci_layout_with_nested_index() {
    let (tar, digest) = oci_layout();
    let images = read_chunks(&tar, 100).expect("load");
    assert_eq!(images.len(), 1);
    assert_eq!(images[0].config_digest, digest);
    assert_eq!(
        images[0].repo_tags,
        vec!["docker.io/library/app:1.0", "example.com/app:2.0"]
    );
    assert_eq!(images[0].config["config"]["Env"][0], "A=1");
}

#[test]
fn long_names_ustar_prefix_and_pax() {
    let config = br#"{"os":"linux"}"#;
    let dir = "d".repeat(120);
    let gnu_path = format!("{dir}/{}.json", "c".repeat(80));
    let ustar_path = format!("{}/{}.json", "u".repeat(130), "v".repeat(60));
    let pax_path = format!("{}/cfg.json", "p".repeat(150));
    let manifest = json!([
        {"Config": gnu_path, "RepoTags": ["a:1"]},
        {"Config": ustar_path, "RepoTags": ["b:1"]},
        {"Config": format!("./{pax_path}"), "RepoTags": ["c:1"]},
    ]);
    let mut b = tar::Builder::new(Vec::new());
    append(&mut b, &gnu_path, br#"{"n":1}"#);
    append_ustar(&mut b, &ustar_path, br#"{"n":2}"#);
    b.append_pax_extensions([("path", pax_path.as_bytes())])
        .expect("pax");
    let mut h = tar::Header::new_ustar();
    h.set_size(config.len() as u64);
    h.set_entry_type(tar::EntryType::Regular);
    b.append_data(&mut h, "short-placeholder", &config[..])
        .expect("append");
    append(
        &mut b,
        "manifest.json",
        &serde_json::to_vec(&manifest).expect("json"),
    );
    let tar = b.into_inner().expect("tar");
    assert!(gnu_path.len() > 100 && ustar_path.len() > 100);
    for size in [1, tar.len()] {
        let images = read_chunks(&tar, size).expect("load");
        let tags: Vec<&str> = images.iter().map(|i| i.repo_tags[0].as_str()).collect();
        assert_eq!(tags, vec!["a:1", "b:1", "c:1"]);
        assert_eq!(
            images[0].config_digest,
            format!("sha256:{}", sha(br#"{"n":1}"#))
        );
        assert_eq!(images[2].config["os"], "linux");
    }
}

#[test]
fn layers_are_not_kept() {
    let (tar, _) = docker_save();
    let mut r = ArchiveReader::new();
    r.push(&tar).expect("push");
    let mut names: Vec<&String> = r.files.keys().collect();
    names.sort();
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(r
        .files
        .keys()
        .all(|n| !n.contains("layer") && !n.ends_with("aaaa")));
}

#[test]
fn big_layer_streams_but_big_json_fails() {
    let big = layer(13, 20 * 1024 * 1024);
    let mut b = tar::Builder::new(Vec::new());
    append(&mut b, "blobs/sha256/big", &big);
    append(&mut b, "cfg.json", b"{}");
    append(
        &mut b,
        "manifest.json",
        br#"[{"Config":"cfg.json","RepoTags":["x:y"]}]"#,
    );
    let tar = b.into_inner().expect("tar");
    let images = read_chunks(&tar, 65536).expect("load");
    assert_eq!(images[0].repo_tags, vec!["x:y"]);

    let mut json_big = b"{\"a\":\"".to_vec();
    json_big.extend(std::iter::repeat_n(b'x', 9 * 1024 * 1024));
    json_big.extend_from_slice(b"\"}");
    let mut b = tar::Builder::new(Vec::new());
    append(&mut b, "huge.json", &json_big);
    let tar = b.into_inner().expect("tar");
    assert_eq!(
        read_chunks(&tar, 65536),
        Err(ArchiveError::MemberTooLarge("huge.json".into()))
    );
}

fn corrupt_checksum() -> Vec<u8> {
    let (mut tar, _) = docker_save();
    tar[0] ^= 0x01;
    tar
}

fn simple(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        append(&mut b, name, data);
    }
    b.into_inner().expect("tar")
}

#[test]
fn errors() {
    let (save, _) = docker_save();
    let manifest_ok: &[u8] = br#"[{"Config":"c.json","RepoTags":["a:b"]}]"#;
    let cases: Vec<(&str, Vec<u8>, ArchiveError)> = vec![
        ("empty stream", Vec::new(), ArchiveError::NoManifest),
        ("short garbage", b"definitely not a tarball".to_vec(), ArchiveError::UnexpectedEof),
        ("garbage block", (0..2048u32).map(|i| (i * 7 + 3) as u8).collect(), ArchiveError::BadChecksum),
        ("bad checksum", corrupt_checksum(), ArchiveError::BadChecksum),
        ("truncated in data", save[..save.len() / 2 + 100].to_vec(), ArchiveError::UnexpectedEof),
        ("truncated in header", save[..512 * 3 + 17].to_vec(), ArchiveError::UnexpectedEof),
        ("tar without manifest", simple(&[("hello.txt", b"hi"), ("x.json", b"{}")]), ArchiveError::NoManifest),
        ("manifest not json", simple(&[("manifest.json", b"nope")]), ArchiveError::InvalidManifest("expected ident at line 1 column 2".into())),
        ("manifest lacks Config", simple(&[("manifest.json", br#"[{"RepoTags":[]}]"#)]), ArchiveError::InvalidManifest("missing field `Config` at line 1 column 16".into())),
        ("missing config", simple(&[("manifest.json", manifest_ok)]), ArchiveError::ConfigMissing("c.json".into())),
        ("config array", simple(&[("c.json", b"[1]"), ("manifest.json", manifest_ok)]), ArchiveError::InvalidConfig("c.json".into(), "not a JSON object".into())),
        ("config blob not object", simple(&[("blobs/sha256/c", b"xyz"), ("manifest.json", br#"[{"Config":"blobs/sha256/c"}]"#)]), ArchiveError::InvalidConfig("blobs/sha256/c".into(), "not a JSON object".into())),
        ("index missing manifest blob", simple(&[("index.json", br#"{"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:ab"}]}"#)]), ArchiveError::ManifestMissing("sha256:ab".into())),
        ("index without manifests", simple(&[("index.json", b"{}")]), ArchiveError::InvalidIndex("missing field `manifests` at line 1 column 2".into())),
    ];
    for (what, data, want) in cases {
        for chunk in [1usize, 1000, data.len().max(1)] {
            assert_eq!(
                read_chunks(&data, chunk),
                Err(want.clone()),
                "{what} (chunk {chunk})"
            );
        }
    }
}

#[test]
fn end_without_zero_blocks_is_accepted() {
    let (save, _) = docker_save();
    let trimmed = &save[..save.len() - 1024];
    assert_eq!(read_chunks(trimmed, 333).expect("load").len(), 2);
    let one_zero = &save[..save.len() - 512];
    assert_eq!(read_chunks(one_zero, 333).expect("load").len(), 2);
    let mut trailing = save.clone();
    trailing.extend_from_slice(&[0u8; 9216]);
    trailing.extend_from_slice(b"junk after end");
    assert_eq!(read_chunks(&trailing, 4096).expect("load").len(), 2);
}

#[test]
fn push_after_error_fails() {
    let mut r = ArchiveReader::new();
    assert_eq!(r.push(&corrupt_checksum()), Err(ArchiveError::BadChecksum));
    assert_eq!(r.push(b"more"), Err(ArchiveError::Failed));
    assert_eq!(r.finish(), Err(ArchiveError::Failed));
}

#[test]
fn numeric_fields() {
    let cases: Vec<(&[u8], Result<u64, ArchiveError>)> = vec![
        (b"00000001750\0", Ok(0o1750)),
        (b"     1750 \0\0", Ok(0o1750)),
        (b"\0\0\0\0\0\0\0\0\0\0\0\0", Ok(0)),
        (&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0], Ok(0x0002_0000)),
        (&[0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], Ok(1 << 32)),
        (
            &[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0],
            Err(ArchiveError::InvalidHeader),
        ),
        (b"0000000175x\0", Err(ArchiveError::InvalidHeader)),
        (b"00000001789\0", Err(ArchiveError::InvalidHeader)),
    ];
    for (field, want) in cases {
        assert_eq!(parse_numeric(field), want, "{field:?}");
    }
}

/// (annotations, expected names)
type AnnotationCase = (Vec<(&'static str, &'static str)>, Vec<&'static str>);

#[test]
fn annotation_names() {
    let cases: Vec<AnnotationCase> = vec![
        (
            vec![
                (ANNOTATION_IMAGE_NAME, "docker.io/library/a:1"),
                (ANNOTATION_REF_NAME, "1"),
            ],
            vec!["docker.io/library/a:1"],
        ),
        (vec![(ANNOTATION_REF_NAME, "latest")], vec![]),
        (vec![(ANNOTATION_REF_NAME, "a:1")], vec!["a:1"]),
        (
            vec![(ANNOTATION_REF_NAME, "example.com/a")],
            vec!["example.com/a"],
        ),
        (vec![], vec![]),
    ];
    for (ann, want) in cases {
        let map: BTreeMap<String, String> = ann
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(names_from_annotations(&map), want, "{ann:?}");
    }
}

#[test]
fn base256_size_member() {
    // A member whose size is written in GNU base-256 form.
    let mut b = tar::Builder::new(Vec::new());
    append(&mut b, "c.json", br#"{"k":"v"}"#);
    append(&mut b, "manifest.json", br#"[{"Config":"c.json"}]"#);
    let mut tar = b.into_inner().expect("tar");
    let size_field = &mut tar[124..136];
    size_field.copy_from_slice(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9]);
    let sum: u32 = tar[..512]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u32::from(b)
            }
        })
        .sum();
    tar[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let images = read_chunks(&tar, 1).expect("load");
    assert_eq!(images[0].config["k"], "v");
}
