//! The `citizeninfo` program: its command line, the demo and benchmark datasets, and
//! the exports. The portal itself lives in the `web` crate.

pub mod cli;
pub mod demo;
pub mod demo_ratings;
pub mod export;
pub mod national;
