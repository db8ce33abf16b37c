//! Docker Engine semantics that every backend shares: filters, names, signals,
//! durations, timestamps, human-readable status text and query values.

pub mod duration;
pub mod filters;
pub mod humanize;
pub mod names;
pub mod query;
pub mod signal;
pub mod timefmt;
