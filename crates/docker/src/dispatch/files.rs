//! Container files and image archives: `HEAD|GET|PUT /containers/{id}/archive`
//! (`docker cp`, the stat in `X-Docker-Container-Path-Stat`), `GET
//! /containers/{id}/export`, `GET /containers/{id}/changes`, `POST /commit`,
//! `GET /images/get` and `GET /images/{name}/get` (`docker save`).

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::StatusCode;
use sockerless_core::api::docker::ContainerConfig;
use sockerless_core::api::*;
use sockerless_core::error::{Error, Result};
use sockerless_http::body::full_body;
use sockerless_http::{Body, Response};

use super::Ctx;
use crate::reply;
use crate::request::{parse_json, Query};
use crate::route::DockerRoute;

/// A 200 of these bytes with this content type.
fn bytes(data: Bytes, content_type: &'static str) -> Response {
    let mut res = http::Response::new(full_body(data));
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

/// Adds the path stat header.
fn with_stat(mut res: Response, stat: &PathStat) -> Result<Response> {
    let value = HeaderValue::from_str(&stat.to_header())
        .map_err(|e| Error::internal(format!("path stat header: {e}")))?;
    res.headers_mut().insert(PATH_STAT_HEADER, value);
    Ok(res)
}

/// Serves the archive, export, changes, commit and save routes.
pub async fn handle(ctx: &Ctx, route: DockerRoute, req: http::Request<Body>) -> Result<Response> {
    use DockerRoute::*;
    let q = Query::parse(req.uri().query())?;
    let b = &ctx.backend;
    let path = || q.string("path").unwrap_or_default();
    match route {
        ContainerArchiveStat(r) => {
            let stat = b.container_archive_stat(r, path()).await?;
            with_stat(reply::empty(StatusCode::OK), &stat)
        }
        ContainerArchiveGet(r) => {
            let archive = b.container_archive_get(r, path()).await?;
            with_stat(bytes(archive.tar, "application/x-tar"), &archive.stat)
        }
        ContainerArchivePut(r) => {
            let options = ArchivePutOptions {
                path: path(),
                no_overwrite_dir_non_dir: q.bool("noOverwriteDirNonDir"),
                copy_uid_gid: q.bool("copyUIDGID"),
            };
            let tar = ctx.body(req.into_body()).await?;
            b.container_archive_put(r, options, tar).await?;
            Ok(reply::empty(StatusCode::OK))
        }
        ContainerExport(r) => Ok(bytes(
            b.container_export(r).await?,
            "application/octet-stream",
        )),
        ContainerChanges(r) => reply::json(StatusCode::OK, &b.container_changes(r).await?),
        Commit => {
            let container = q.string("container").unwrap_or_default();
            if container.is_empty() {
                return Err(Error::bad_request(format!(
                    "invalid name or ID supplied: {container:?}"
                )));
            }
            let (parts, body) = req.into_parts();
            let body = ctx.body(body).await?;
            let config: Option<ContainerConfig> = parse_json(&parts.headers, &body)?;
            let options = CommitOptions {
                container,
                repo: q.string("repo"),
                tag: q.string("tag"),
                comment: q.string("comment"),
                author: q.string("author"),
                changes: q.all("changes").into_iter().map(str::to_string).collect(),
                config,
            };
            reply::json(StatusCode::CREATED, &b.container_commit(options).await?)
        }
        ImageSaveMany => {
            let names = q.all("names").into_iter().map(str::to_string).collect();
            Ok(bytes(b.image_save(names).await?, "application/x-tar"))
        }
        ImageSave(name) => Ok(bytes(b.image_save(vec![name]).await?, "application/x-tar")),
        other => Err(Error::internal(format!(
            "{} routed to the files handler",
            other.name()
        ))),
    }
}
