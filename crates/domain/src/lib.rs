//! The rules of the directory, free of I/O: codes, places, opening hours, manuals and
//! Thai calendar conventions. Every other crate builds on these types.

pub mod account;
pub mod codes;
pub mod geo;
pub mod hours;
pub mod limits;
pub mod manual;
pub mod manual_diff;
pub mod mask;
pub mod org;
pub mod period;
pub mod point_edit;
pub mod point_sheet;
pub mod problem;
pub mod quality;
pub mod rating;
pub mod rating_guard;
pub mod roles;
pub mod stats;
pub mod task;
pub mod thai_date;

pub use codes::{CodeError, UnitCode};
pub use geo::{LatLon, distance_km};
pub use hours::{Holiday, HoursException, OpenStatus, Period, WeeklyHours};
pub use manual::Manual;
pub use org::{Address, GeccLevel, Phone, ServicePoint, Unit, UnitKind};
pub use problem::Problem;

/// Everything public, as read from storage in one consistent transaction: the input of
/// the in-memory read model.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub version: i64,
    pub units: Vec<Unit>,
    pub service_points: Vec<ServicePoint>,
    pub manuals: Vec<Manual>,
    pub holidays: Vec<Holiday>,
}
