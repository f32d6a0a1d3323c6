//! `vigil import`: load data into the data directory, beside or without a running server.
//! - [`sanctions`]: a sanctions source (OFAC SDN, UN consolidated list).
//! - [`list`]: a CSV of list items into one list, with a progress bar.

pub mod list;
pub mod sanctions;
