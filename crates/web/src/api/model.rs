//! The shapes the API answers with, built from the read model.

use chrono::{DateTime, Utc};
use directory::{Directory, PointEntry, UnitEntry};
use domain::hours::{OpenStatus, format_minutes};
use domain::{Manual, Phone};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
    pub name_en: String,
}

impl UnitRef {
    fn of(e: &UnitEntry) -> Self {
        Self {
            code: e.unit.code.to_string(),
            name: e.unit.name_th.clone(),
            name_en: e.unit.name_en.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Serialize, ToSchema)]
pub struct PhoneOut {
    /// Digits, national format.
    pub number: String,
    pub ext: Option<String>,
    /// As printed, e.g. `0 3828 4349`.
    pub display: String,
    /// RFC 3966 URI, the extension after a pause.
    pub tel: String,
    pub label: Option<String>,
    pub label_en: Option<String>,
}

impl From<&Phone> for PhoneOut {
    fn from(p: &Phone) -> Self {
        Self {
            number: p.number.clone(),
            ext: p.ext.clone(),
            display: p.display(),
            tel: p.tel_uri(),
            label: p.label_th.clone(),
            label_en: p.label_en.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AddressOut {
    pub house_no: Option<String>,
    pub moo: Option<String>,
    pub building: Option<String>,
    pub road: Option<String>,
    pub subdistrict: String,
    pub district: String,
    pub province: String,
    pub postcode: String,
    /// The whole address on one line, as Thai people write it.
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct ServicePointItem {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub unit: Option<UnitRef>,
    pub department: Option<UnitRef>,
    pub ministry: Option<UnitRef>,
    pub address: AddressOut,
    pub location: Location,
    /// Great-circle distance from `near`, in kilometres; only when `near` is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    pub phones: Vec<PhoneOut>,
    pub open_now: bool,
    /// `none`, `basic`, `medium` or `high`.
    pub gecc_level: String,
    pub manuals_count: usize,
    /// The public page of the service point.
    pub url: String,
}

impl ServicePointItem {
    pub fn of(
        dir: &Directory,
        p: &PointEntry,
        distance_km: Option<f64>,
        now: DateTime<Utc>,
    ) -> Self {
        let sp = &p.point;
        let a = &sp.address;
        let unit_ref = |i: Option<usize>| i.map(|i| UnitRef::of(&dir.units[i]));
        Self {
            code: sp.code.to_string(),
            name: sp.name_th.clone(),
            name_en: sp.name_en.clone(),
            unit: unit_ref(p.unit),
            department: unit_ref(p.department),
            ministry: unit_ref(p.ministry),
            address: AddressOut {
                house_no: a.house_no.clone(),
                moo: a.moo.clone(),
                building: a.building.clone(),
                road: a.road.clone(),
                subdistrict: a.subdistrict.clone(),
                district: a.district.clone(),
                province: a.province.clone(),
                postcode: a.postcode.clone(),
                text: a.line_th(),
            },
            location: Location {
                lat: sp.location.lat,
                lon: sp.location.lon,
            },
            distance_km: distance_km.map(|d| (d * 100.0).round() / 100.0),
            phones: sp.phones.iter().map(PhoneOut::from).collect(),
            open_now: sp
                .hours
                .is_open_at(domain::hours::bangkok_now(now), dir.holiday_days()),
            gecc_level: sp.gecc_level.as_str().to_owned(),
            manuals_count: sp.manuals.len(),
            url: format!("/sp/{}", sp.code),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ServicePointPage {
    pub items: Vec<ServicePointItem>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

#[derive(Serialize, ToSchema)]
pub struct PeriodOut {
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// `HH:MM`, local time.
    pub opens: String,
    /// `HH:MM`; not after `opens` means the next day.
    pub closes: String,
}

#[derive(Serialize, ToSchema)]
pub struct ExceptionOut {
    pub date: chrono::NaiveDate,
    /// Empty: closed that day.
    pub periods: Vec<PeriodOut>,
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StatusOut {
    pub open_now: bool,
    /// Local time (Asia/Bangkok) at which it closes, when open.
    pub closes_at: Option<String>,
    /// Local time at which it opens next, when closed.
    pub opens_next: Option<String>,
    /// Open without a closing time in the coming two weeks.
    pub always_open: bool,
}

impl StatusOut {
    pub fn of(s: OpenStatus) -> Self {
        let iso = |t: chrono::NaiveDateTime| format!("{}+07:00", t.format("%Y-%m-%dT%H:%M:%S"));
        match s {
            OpenStatus::OpenUntil(t) => Self {
                open_now: true,
                closes_at: Some(iso(t)),
                opens_next: None,
                always_open: false,
            },
            OpenStatus::OpenAllDay => Self {
                open_now: true,
                closes_at: None,
                opens_next: None,
                always_open: true,
            },
            OpenStatus::Closed(next) => Self {
                open_now: false,
                closes_at: None,
                opens_next: next.map(iso),
                always_open: false,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HolidayOut {
    pub date: chrono::NaiveDate,
    pub name: String,
    pub name_en: String,
}

#[derive(Serialize, ToSchema)]
pub struct HoursOut {
    pub weekly: Vec<PeriodOut>,
    pub open_on_holidays: bool,
    pub exceptions: Vec<ExceptionOut>,
    pub note: Option<String>,
    pub note_en: Option<String>,
    pub status: StatusOut,
    /// The next public holidays (within 60 days), on which offices closed on holidays close.
    pub upcoming_holidays: Vec<HolidayOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ManualRef {
    pub id: i64,
    pub title: String,
    pub title_en: String,
    pub url: String,
}

impl ManualRef {
    pub fn of(m: &Manual) -> Self {
        Self {
            id: m.id,
            title: m.title_th.clone(),
            title_en: m.title_en.clone(),
            url: format!("/manuals/{}", m.id),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PhotoOut {
    pub id: i64,
    /// The display size (at most 1600 px wide), served with a year's cache.
    pub url: String,
    /// At most 400 px wide.
    pub thumb_url: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub alt_en: Option<String>,
    /// The photo shown first and in lists.
    pub cover: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ServicePointDetail {
    #[serde(flatten)]
    pub summary: ServicePointItem,
    pub description: String,
    pub description_en: String,
    pub email: Option<String>,
    pub website: Option<String>,
    pub hours: HoursOut,
    pub photos: Vec<PhotoOut>,
    pub manuals: Vec<ManualRef>,
    pub updated_at: DateTime<Utc>,
    /// When staff last confirmed the data is correct.
    pub verified_at: Option<DateTime<Utc>>,
}

pub fn period_out(weekday: u8, opens: u16, closes: u16) -> PeriodOut {
    PeriodOut {
        weekday,
        opens: format_minutes(opens),
        closes: format_minutes(closes),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ManualItem {
    pub id: i64,
    pub key: String,
    pub title: String,
    pub title_en: String,
    pub owning_agency: String,
    pub category: String,
    pub service_points_count: usize,
    pub url: String,
}

#[derive(Serialize, ToSchema)]
pub struct ManualPage {
    pub items: Vec<ManualItem>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

#[derive(Serialize, ToSchema)]
pub struct ManualDetail {
    #[serde(flatten)]
    pub manual: Manual,
    /// Sum of the steps.
    pub total_time: domain::manual::Span,
    pub service_points: Vec<ServicePointRef>,
}

#[derive(Serialize, ToSchema)]
pub struct ServicePointRef {
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub url: String,
}

#[derive(Serialize, ToSchema)]
pub struct UnitOut {
    pub code: String,
    /// `ministry`, `department`, `unit` or `service_point`.
    pub kind: String,
    pub name: String,
    pub name_en: String,
    pub parent: Option<String>,
    pub children_count: usize,
    /// Public service points in this unit's subtree.
    pub service_points_count: usize,
}

impl UnitOut {
    pub fn of(dir: &Directory, e: &UnitEntry) -> Self {
        let (name, name_en) = dir.names(e);
        Self {
            code: e.unit.code.to_string(),
            kind: e.unit.kind.as_str().to_owned(),
            name: name.to_owned(),
            name_en: name_en.to_owned(),
            parent: e.unit.parent.as_ref().map(ToString::to_string),
            children_count: e.children.len(),
            service_points_count: e.service_points,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitPage {
    pub items: Vec<UnitOut>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
}

#[derive(Serialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: UnitOut,
    /// From the ministry down to this unit's parent.
    pub ancestors: Vec<UnitRef>,
    pub children: Vec<UnitOut>,
}

pub(crate) fn unit_ref(e: &UnitEntry) -> UnitRef {
    UnitRef::of(e)
}
