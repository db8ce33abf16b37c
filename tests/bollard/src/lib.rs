//! Nothing here: the suite is `tests/bollard.rs`, a client of a running
//! `sockerless` binary.
