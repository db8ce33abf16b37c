//! Simulated processes: nothing runs, but commands behave like processes — a
//! small deterministic shell interpreter ([`interp`]) produces their output and
//! exit status.

pub mod interp;
