//! The in-memory public read model: everything a citizen can see, with a Thai text
//! index and a spatial index, so that public reads need no database round trip.
//! It is rebuilt from a storage snapshot whenever the data version moves.

mod districts;
mod model;
mod query;
pub mod text;

pub use districts::{DistrictRef, Districts, ProvinceRef};
pub use model::{Directory, PointEntry, UnitEntry};
pub use query::{Hit, Query, SearchResult};
