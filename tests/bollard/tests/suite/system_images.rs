//! System routes and images: ping, version, info, df, pull progress, image
//! list/inspect/tag/remove/prune, build prune, load, and the 501 routes.

use bollard::query_parameters as q;
use futures_util::TryStreamExt;

use crate::common::{self, Daemon};
use crate::helpers::{body, client, create, pull, server_error, step};

#[tokio::test]
async fn system_routes() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    assert_eq!(step("ping", docker.ping()).await.expect("ping"), "OK");
    let version = step("version", docker.version()).await.expect("version");
    assert_eq!(version.api_version.as_deref(), Some("1.44"));
    assert_eq!(version.min_api_version.as_deref(), Some("1.24"));
    assert_eq!(version.os.as_deref(), Some("linux"));
    let components = version.components.expect("components");
    assert_eq!(components[0].name, "Engine");
    let details = components[0].details.as_ref().expect("Engine details");
    assert_eq!(details.get("ApiVersion").map(String::as_str), Some("1.44"));
    let negotiated = step("negotiate", docker.clone().negotiate_version())
        .await
        .expect("negotiate");
    assert_eq!(negotiated.client_version().to_string(), "1.44");
    let info = step("info", negotiated.info()).await.expect("info");
    assert_eq!(info.os_type.as_deref(), Some("linux"));
    assert_eq!(info.containers, Some(0));
    step("df", docker.df(None)).await.expect("df");
}

#[tokio::test]
async fn pull_progress_and_image_routes() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    let statuses = pull(&docker, "alpine").await;
    assert_eq!(statuses[0], "Pulling from library/alpine");
    assert!(
        statuses.iter().any(|s| s == "Pulling fs layer"),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().any(|s| s == "Pull complete"),
        "{statuses:?}"
    );
    assert!(statuses[statuses.len() - 2].starts_with("Digest: sha256:"));
    assert_eq!(
        statuses.last().map(String::as_str),
        Some("Status: Downloaded newer image for alpine:latest")
    );
    // A bad reference is a plain HTTP error, before any progress.
    let bad = q::CreateImageOptionsBuilder::default()
        .from_image("Alpine")
        .build();
    let err = step(
        "bad pull",
        docker
            .create_image(Some(bad), None, None)
            .try_collect::<Vec<_>>(),
    )
    .await
    .expect_err("bad reference");
    assert_eq!(
        server_error(err),
        (
            400,
            "invalid reference format: repository name (library/Alpine) must be lowercase".into()
        )
    );

    let list = step("list", docker.list_images(None::<q::ListImagesOptions>))
        .await
        .expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].repo_tags, ["alpine:latest"]);
    let inspect = step("inspect", docker.inspect_image("alpine"))
        .await
        .expect("inspect");
    assert_eq!(inspect.id.as_deref(), Some(list[0].id.as_str()));
    let err = step("inspect missing", docker.inspect_image("nosuch"))
        .await
        .expect_err("missing");
    assert_eq!(
        server_error(err),
        (404, "No such image: nosuch:latest".into())
    );

    // An image used by a container cannot be removed without force.
    create(&docker, "user", body("alpine", &["true"])).await;
    let err = step(
        "remove used",
        docker.remove_image("alpine", None::<q::RemoveImageOptions>, None),
    )
    .await
    .expect_err("conflict");
    let (status, message) = server_error(err);
    assert_eq!(status, 409, "{message}");
    assert!(
        message.starts_with(
            "conflict: unable to remove repository reference \"alpine\" (must force) - container "
        ),
        "{message}"
    );
    let tag = q::TagImageOptionsBuilder::default()
        .repo("my/alpine")
        .tag("v1")
        .build();
    step("tag", docker.tag_image("alpine", Some(tag)))
        .await
        .expect("tag");
    // A name with a slash routes to the right image.
    let mine = step("inspect my/alpine", docker.inspect_image("my/alpine:v1"))
        .await
        .expect("inspect tag");
    assert_eq!(mine.id, inspect.id);

    let removed = step(
        "remove tag",
        docker.remove_image("my/alpine:v1", None::<q::RemoveImageOptions>, None),
    )
    .await
    .expect("remove tag");
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].untagged.as_deref(), Some("my/alpine:v1"));

    let pruned = step("prune", docker.prune_images(None::<q::PruneImagesOptions>))
        .await
        .expect("prune");
    assert_eq!(pruned.images_deleted.unwrap_or_default(), []);
    assert_eq!(pruned.space_reclaimed, Some(0));
    let build = step(
        "build prune",
        docker.prune_build(None::<q::PruneBuildOptions>),
    )
    .await
    .expect("build prune");
    assert_eq!(
        build.caches_deleted.unwrap_or_default(),
        Vec::<String>::new()
    );
    assert_eq!(build.space_reclaimed, Some(0));
}

#[tokio::test]
async fn unsupported_image_routes_are_501() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    pull(&docker, "alpine").await;
    let err = step("history", docker.image_history("alpine"))
        .await
        .expect_err("history");
    let (status, message) = server_error(err);
    assert_eq!(status, 501);
    assert!(message.contains("not supported"), "{message}");
    let search = q::SearchImagesOptionsBuilder::default().term("x").build();
    let err = step("search", docker.search_images(search))
        .await
        .expect_err("search");
    assert_eq!(server_error(err).0, 501);
    let push = step(
        "push",
        docker
            .push_image("alpine", None::<q::PushImageOptions>, None)
            .try_collect::<Vec<_>>(),
    )
    .await
    .expect_err("push");
    assert_eq!(server_error(push).0, 501);
}

#[tokio::test]
async fn load_an_archive() {
    let daemon = Daemon::start();
    let docker = client(&daemon);
    let tar = common::image_archive("loaded/app:2.0");
    let options = q::ImportImageOptionsBuilder::default().quiet(true).build();
    let records = step(
        "load",
        docker
            .import_image(options, bollard::body_full(tar.into()), None)
            .try_collect::<Vec<_>>(),
    )
    .await
    .expect("load");
    let streams: Vec<String> = records.into_iter().filter_map(|r| r.stream).collect();
    assert_eq!(streams, ["Loaded image: loaded/app:2.0\n"]);
    let inspect = step("inspect", docker.inspect_image("loaded/app:2.0"))
        .await
        .expect("inspect");
    assert_eq!(
        inspect.config.and_then(|c| c.cmd),
        Some(vec!["/app".to_string()])
    );
}
