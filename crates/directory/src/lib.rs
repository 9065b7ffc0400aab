//! The in-memory public read model: everything a citizen can see, with a Thai text
//! index and a spatial index, so that public reads need no database round trip.
//! It is built from a storage snapshot, and the next version is derived from the one
//! before and the service points that changed (`Directory::apply`).

mod districts;
#[cfg(test)]
mod equivalence;
mod model;
mod persist;
mod query;
mod spatial;
pub mod text;
mod update;

pub use districts::{DistrictRef, Districts, ProvinceRef};
pub use model::{Directory, PointEntry, UnitEntry};
pub use persist::Slots;
pub use query::{Hit, Query, SearchResult};
pub use update::{ApplyError, Change};
