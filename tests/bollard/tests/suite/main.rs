//! bollard 0.21 against `sockerless`: every route of the frontend's table
//! from Rust, through the client most Rust tools use. bollard sends every path
//! unversioned and `Content-Type: application/json` on every request. One test
//! binary; each test starts its own daemon (`$SOCKERLESS_BIN`).

#[path = "../../../it/docker/common.rs"]
mod common;
mod containers;
mod helpers;
mod resources;
mod system_images;
