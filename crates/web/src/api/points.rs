//! A service point as staff keep it (`/api/v1/staff/service-points/{code}`): read it
//! with its revision as an `ETag`, change it with `If-Match` so that nobody overwrites
//! another's save unseen, create one under a unit, archive, restore, confirm the data
//! is correct, and read or revert its history.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use domain::hours::{HoursException, Period, WeeklyHours, format_minutes, parse_hhmm};
use domain::point_edit::{PointPatch, PointState};
use domain::{Address, GeccLevel, LatLon, Phone, Problem, UnitCode};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::json_body;
use crate::Shared;
use crate::auth::scope::Staff;
use crate::errors::{ApiError, ApiPath, invalid_fields};
use crate::params::FieldErrors;

fn point_code(code: &str) -> Result<UnitCode, ApiError> {
    UnitCode::parse(code.trim()).map_err(|_| {
        ApiError::invalid(FieldErrors::from([(
            "code".to_owned(),
            vec!["รหัสต้องเป็นตัวเลข 13 หลัก / A code has 13 digits".to_owned()],
        )]))
    })
}

/// A small whole number, also written as `4.0` (JSON does not tell the two apart);
/// anything else is 0, which the rules refuse with the field named.
fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    let n = f64::deserialize(d)?;
    Ok(if n.fract() == 0.0 && (0.0..=255.0).contains(&n) {
        n as u8
    } else {
        0
    })
}

/// `null` clears a field; leaving it out keeps it.
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AddressIn {
    pub house_no: Option<String>,
    pub moo: Option<String>,
    pub building: Option<String>,
    pub road: Option<String>,
    /// ตำบล / แขวง
    pub subdistrict: String,
    /// อำเภอ / เขต, as addresses write it (`บางละมุง`, `อ.เมือง`)
    pub district: String,
    pub province: String,
    #[schema(pattern = "^[0-9]{5}$")]
    pub postcode: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct LocationIn {
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PhoneIn {
    /// As typed: spaces, dashes and +66 are fine (`038-221-300`).
    pub number: String,
    pub ext: Option<String>,
    pub label: Option<String>,
    pub label_en: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeriodIn {
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    #[serde(deserialize_with = "whole_number")]
    pub weekday: u8,
    /// `HH:MM`
    pub opens: String,
    /// `HH:MM`; not after `opens` means the next day; `24:00` is midnight.
    pub closes: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RangeIn {
    pub opens: String,
    pub closes: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExceptionIn {
    /// `YYYY-MM-DD`
    #[schema(format = Date, value_type = String)]
    pub date: String,
    /// The same day to this date (inclusive), for a closure of several days.
    #[serde(default)]
    #[schema(format = Date, value_type = Option<String>)]
    pub until: Option<String>,
    /// Empty: closed.
    #[serde(default)]
    pub periods: Vec<RangeIn>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HoursIn {
    pub weekly: Vec<PeriodIn>,
    pub open_on_holidays: bool,
    #[serde(default)]
    pub exceptions: Vec<ExceptionIn>,
    pub note: Option<String>,
    pub note_en: Option<String>,
}

/// The fields of the public detail that staff change; a field left out stays as it is.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PointChange {
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub description: Option<String>,
    pub description_en: Option<String>,
    pub address: Option<AddressIn>,
    pub location: Option<LocationIn>,
    pub phones: Option<Vec<PhoneIn>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    pub hours: Option<HoursIn>,
    /// `none`, `basic`, `medium` or `high`.
    pub gecc_level: Option<String>,
    /// Shown to the public.
    pub visible: Option<bool>,
    /// The pin is outside the address's district and that is right (a border office);
    /// without it such a save is refused with the district the pin is in.
    #[serde(default)]
    pub confirm_district: bool,
}

fn minutes(field: &str, v: &str, problems: &mut Vec<Problem>) -> u16 {
    parse_hhmm(v).unwrap_or_else(|| {
        problems.push(Problem::new(
            field,
            format!("เวลา \"{v}\" ไม่ถูกต้อง ใช้รูปแบบ ชช:นน เช่น 08:30"),
            format!("\"{v}\" is not a time; write HH:MM, e.g. 08:30"),
        ));
        0
    })
}

/// The longest closure one exception may name, so that a typo cannot write ten
/// thousand rows.
const MAX_RANGE_DAYS: i64 = 120;

fn hours_of(
    h: HoursIn,
    problems: &mut Vec<Problem>,
) -> (WeeklyHours, Option<String>, Option<String>) {
    let periods = h
        .weekly
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let f = format!("hours.weekly[{i}]");
            Period {
                weekday: p.weekday,
                opens: minutes(&f, &p.opens, problems),
                closes: minutes(&f, &p.closes, problems),
            }
        })
        .collect();
    let mut exceptions = Vec::new();
    for (i, e) in h.exceptions.iter().enumerate() {
        let f = format!("hours.exceptions[{i}]");
        let ranges: Vec<(u16, u16)> = e
            .periods
            .iter()
            .map(|r| {
                (
                    minutes(&f, &r.opens, problems),
                    minutes(&f, &r.closes, problems),
                )
            })
            .collect();
        let day = |v: &str| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok();
        let (Some(date), Some(until)) = (
            day(&e.date),
            e.until
                .as_deref()
                .filter(|u| !u.trim().is_empty())
                .map_or(day(&e.date), day),
        ) else {
            problems.push(Problem::new(
                f,
                "วันที่ต้องอยู่ในรูปแบบ ปปปป-ดด-วว (ค.ศ.) เช่น 2027-01-04",
                "A date is written YYYY-MM-DD, e.g. 2027-01-04",
            ));
            continue;
        };
        let days = (until - date).num_days();
        if !(0..=MAX_RANGE_DAYS).contains(&days) {
            problems.push(Problem::new(
                f,
                format!("ช่วงวันต้องไม่ย้อนหลังและไม่เกิน {MAX_RANGE_DAYS} วัน"),
                format!("A range of days runs forward, at most {MAX_RANGE_DAYS} days"),
            ));
            continue;
        }
        for d in 0..=days {
            exceptions.push(HoursException {
                date: date + chrono::Duration::days(d),
                periods: ranges.clone(),
                note: e.note.clone(),
            });
        }
    }
    (
        WeeklyHours {
            periods,
            open_on_holidays: h.open_on_holidays,
            exceptions,
        },
        h.note,
        h.note_en,
    )
}

fn phones_of(list: Vec<PhoneIn>) -> Vec<Phone> {
    list.into_iter()
        .map(|p| Phone {
            number: p.number,
            ext: p.ext,
            label_th: p.label,
            label_en: p.label_en,
        })
        .collect()
}

fn address_of(a: AddressIn) -> Address {
    Address {
        house_no: a.house_no,
        moo: a.moo,
        building: a.building,
        road: a.road,
        subdistrict: a.subdistrict,
        district: a.district,
        province: a.province,
        postcode: a.postcode,
    }
}

fn location_of(l: LocationIn, problems: &mut Vec<Problem>) -> Option<LatLon> {
    let p = LatLon::new(l.lat, l.lon);
    if p.is_none() {
        problems.push(Problem::new(
            "location",
            "พิกัดไม่ถูกต้อง: ละติจูด -90 ถึง 90 ลองจิจูด -180 ถึง 180",
            "Not a position: latitude -90 to 90, longitude -180 to 180",
        ));
    }
    p
}

/// The change as the use case takes it; problems of form (a time, a level) found here.
pub(crate) fn patch_of(c: PointChange) -> Result<(PointPatch, bool), ApiError> {
    let mut problems = Vec::new();
    let mut patch = PointPatch {
        name_th: c.name,
        name_en: c.name_en,
        description_th: c.description,
        description_en: c.description_en,
        address: c.address.map(address_of),
        location: c.location.and_then(|l| location_of(l, &mut problems)),
        phones: c.phones.map(phones_of),
        email: c.email,
        website: c.website,
        is_public: c.visible,
        ..Default::default()
    };
    if let Some(h) = c.hours {
        let (hours, note, note_en) = hours_of(h, &mut problems);
        patch.hours = Some(hours);
        patch.hours_note_th = Some(note);
        patch.hours_note_en = Some(note_en);
    }
    if let Some(g) = c.gecc_level {
        match GeccLevel::parse(g.trim()) {
            Some(g) => patch.gecc_level = Some(g),
            None => problems.push(Problem::new(
                "gecc_level",
                "ระดับ GECC ต้องเป็น none, basic, medium หรือ high",
                "The GECC level is none, basic, medium or high",
            )),
        }
    }
    if problems.is_empty() {
        Ok((patch, c.confirm_district))
    } else {
        Err(invalid_fields(&problems))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodOut {
    pub weekday: u8,
    pub opens: String,
    pub closes: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionOut {
    pub date: NaiveDate,
    pub periods: Vec<RangeIn>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffHoursOut {
    pub weekly: Vec<PeriodOut>,
    pub open_on_holidays: bool,
    pub exceptions: Vec<ExceptionOut>,
    pub note: Option<String>,
    pub note_en: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DistrictOut {
    /// TIS-1099 code (`2004`)
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub province: String,
    pub province_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffPhotoOut {
    pub id: i64,
    pub url: String,
    pub thumb_url: String,
    pub width: u32,
    pub height: u32,
    pub alt: String,
    pub alt_en: Option<String>,
    pub cover: bool,
}

/// A service point as staff keep it: the fields of the public detail, hidden or
/// archived too, with its revision and who changed it last.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffPointOut {
    pub code: String,
    /// The unit that runs it.
    pub unit: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub description_en: String,
    pub address: AddressIn,
    pub location: LocationIn,
    /// The district the pin is in, from the boundaries; `null` at sea or abroad.
    pub pin_district: Option<DistrictOut>,
    /// The district its editor confirmed the pin in, outside the address's.
    pub pin_confirmed_district: Option<String>,
    pub phones: Vec<PhoneIn>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub hours: StaffHoursOut,
    pub gecc_level: String,
    pub visible: bool,
    pub archived: bool,
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by: Option<String>,
    pub photos: Vec<StaffPhotoOut>,
    /// Ids of the pinned manuals.
    pub manuals: Vec<i64>,
    /// Whether the caller may change it.
    pub can_edit: bool,
}

pub(crate) fn district_out(p: LatLon) -> Option<DistrictOut> {
    app::points::pin_district(p).map(|d| DistrictOut {
        code: d.code.to_owned(),
        name: d.name_th.to_owned(),
        name_en: d.name_en.to_owned(),
        province: d.province.name_th.to_owned(),
        province_en: d.province.name_en.to_owned(),
    })
}

fn point_out(p: storage::EditPoint, can_edit: bool) -> StaffPointOut {
    let s: PointState = p.state;
    let a = s.address;
    StaffPointOut {
        code: p.code.to_string(),
        unit: p.unit.to_string(),
        name: s.name_th,
        name_en: s.name_en,
        description: s.description_th,
        description_en: s.description_en,
        address: AddressIn {
            house_no: a.house_no,
            moo: a.moo,
            building: a.building,
            road: a.road,
            subdistrict: a.subdistrict,
            district: a.district,
            province: a.province,
            postcode: a.postcode,
        },
        location: LocationIn {
            lat: s.location.lat,
            lon: s.location.lon,
        },
        pin_district: district_out(s.location),
        pin_confirmed_district: p.pin_confirmed_district,
        phones: s
            .phones
            .into_iter()
            .map(|ph| PhoneIn {
                number: ph.number,
                ext: ph.ext,
                label: ph.label_th,
                label_en: ph.label_en,
            })
            .collect(),
        email: s.email,
        website: s.website,
        hours: StaffHoursOut {
            weekly: s
                .hours
                .periods
                .iter()
                .map(|q| PeriodOut {
                    weekday: q.weekday,
                    opens: format_minutes(q.opens),
                    closes: format_minutes(q.closes),
                })
                .collect(),
            open_on_holidays: s.hours.open_on_holidays,
            exceptions: s
                .hours
                .exceptions
                .into_iter()
                .map(|e| ExceptionOut {
                    date: e.date,
                    periods: e
                        .periods
                        .iter()
                        .map(|(o, c)| RangeIn {
                            opens: format_minutes(*o),
                            closes: format_minutes(*c),
                        })
                        .collect(),
                    note: e.note,
                })
                .collect(),
            note: s.hours_note_th,
            note_en: s.hours_note_en,
        },
        gecc_level: s.gecc_level.as_str().to_owned(),
        visible: s.is_public,
        archived: p.archived_at.is_some(),
        revision: p.revision,
        updated_at: p.updated_at,
        updated_by: p.updated_by,
        verified_at: p.verified_at,
        verified_by: p.verified_by,
        photos: p
            .photos
            .into_iter()
            .map(|ph| StaffPhotoOut {
                id: ph.id,
                url: ph.url(),
                thumb_url: ph.thumb_url(),
                width: ph.width,
                height: ph.height,
                alt: ph.alt_th,
                alt_en: ph.alt_en,
                cover: ph.is_cover,
            })
            .collect(),
        manuals: p.manuals,
        can_edit,
    }
}

pub(crate) fn etag(code: &UnitCode, revision: i64) -> String {
    format!("\"{code}-{revision}\"")
}

/// The revision an `If-Match` names: `Ok(None)` for `*` (whatever is current).
fn if_match(headers: &HeaderMap, code: &UnitCode) -> Result<Option<i64>, ApiError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::status(
            StatusCode::PRECONDITION_REQUIRED,
            "if_match_required",
            "กรุณาส่ง If-Match ด้วย ETag ที่ได้จาก GET เพื่อไม่ให้บันทึกทับการแก้ไขของผู้อื่น / Send If-Match with the ETag of your GET, so that nobody's change is overwritten unseen",
        ));
    };
    let v = v.to_str().unwrap_or("").trim();
    if v == "*" {
        return Ok(None);
    }
    let tag = v.trim_start_matches("W/").trim_matches('"');
    let revision = tag
        .strip_prefix(code.as_str())
        .and_then(|r| r.strip_prefix('-'))
        .and_then(|r| r.parse().ok());
    // An ETag of another point, or of nothing, matches no current revision.
    Ok(Some(revision.unwrap_or(-1)))
}

pub(crate) fn respond(status: StatusCode, p: storage::EditPoint, can_edit: bool) -> Response {
    let tag = etag(&p.code, p.revision);
    let mut r = (status, Json(point_out(p, can_edit))).into_response();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A service point as staff keep it, hidden or archived too; its revision as the ETag.
#[utoipa::path(get, path = "/api/v1/staff/service-points/{code}", tag = "staff",
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The service point", body = StaffPointOut,
            headers(("ETag" = String, description = "Its revision, for `If-Match`"))),
        (status = 400, description = "`invalid_parameter`: the code is not 13 digits", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no role on the unit that runs it", body = ApiError),
        (status = 404, description = "`not_found`: no service point has this code", body = ApiError),
    ))]
pub async fn get_point(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(code): ApiPath<String>,
) -> Result<Response, ApiError> {
    let code = point_code(&code)?;
    let p = app::points::point(&state.app, &staff, &code).await?;
    Ok(respond(StatusCode::OK, p.point, p.can_edit))
}

/// Changes a service point: the fields given, the others as they are. `If-Match` with
/// the ETag of the GET is required; 412 when someone saved in between. The public
/// pages and API show the change at once.
#[utoipa::path(patch, path = "/api/v1/staff/service-points/{code}", tag = "staff", request_body = PointChange,
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$"),
           ("If-Match" = String, Header, description = "The ETag of the revision the change was made on, or `*`")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The service point as saved", body = StaffPointOut,
            headers(("ETag" = String, description = "The new revision"))),
        (status = 400, description = "`invalid_parameter`: the code is not 13 digits; `invalid_body`: not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no right to edit this point (viewers read only)", body = ApiError),
        (status = 404, description = "`not_found`: no service point has this code", body = ApiError),
        (status = 412, description = "`stale`: someone saved a change after the revision in `If-Match`", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: a field breaks a rule; `fields` says which and why (a pin outside the address's district names the district it is in)", body = ApiError),
        (status = 428, description = "`if_match_required`: no `If-Match`", body = ApiError),
    ))]
pub async fn patch_point(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(code): ApiPath<String>,
    headers: HeaderMap,
    body: Result<Json<PointChange>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let code = point_code(&code)?;
    // The right first: without it, nothing about the body is said.
    let current = app::points::point(&state.app, &staff, &code).await?;
    if !current.can_edit {
        return Err(app::AppError::Forbidden.into());
    }
    let revision = if_match(&headers, &code)?.unwrap_or(current.point.revision);
    let (patch, confirm_district) = patch_of(json_body(body)?)?;
    let saved = app::points::save(
        &state.app,
        &staff,
        &code,
        app::points::Edit {
            patch,
            revision,
            confirm_district,
        },
    )
    .await?;
    state.publish().await;
    Ok(respond(StatusCode::OK, saved, true))
}

/// A new service point: every field of the detail; `name`, `address` and `location`
/// are required.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewPoint {
    /// A code for it; left out, the next free one beside the unit's.
    #[schema(pattern = "^[0-9]{13}$")]
    pub code: Option<String>,
    #[serde(flatten)]
    pub fields: PointChange,
}

/// Creates a service point under a unit (an office). Hidden until `visible` is true.
#[utoipa::path(post, path = "/api/v1/staff/units/{code}/service-points", tag = "staff", request_body = NewPoint,
    params(("code" = String, Path, description = "The unit's 13-digit code", pattern = "^[0-9]{13}$")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 201, description = "The new service point", body = StaffPointOut,
            headers(("ETag" = String, description = "Its revision"), ("Location" = String, description = "Its address in this API"))),
        (status = 400, description = "`invalid_parameter`: the code is not 13 digits; `invalid_body`: not JSON of this shape", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no right to edit this unit", body = ApiError),
        (status = 404, description = "`not_found`: no unit has this code", body = ApiError),
        (status = 413, description = "`body_too_large`: the body is over 2 MB", body = ApiError),
        (status = 422, description = "`invalid_field`: a field missing or breaking a rule, or the code taken", body = ApiError),
    ))]
pub async fn create_point(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(code): ApiPath<String>,
    body: Result<Json<NewPoint>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    let unit = point_code(&code)?;
    staff
        .require(&state.app, &unit, domain::roles::Right::Edit)
        .await?;
    let n = json_body(body)?;
    let mut missing = Vec::new();
    for (f, absent) in [
        ("name", n.fields.name.is_none()),
        ("address", n.fields.address.is_none()),
        ("location", n.fields.location.is_none()),
    ] {
        if absent {
            missing.push(Problem::new(f, "กรุณากรอกข้อมูลนี้", "This field is required"));
        }
    }
    let code = match n.code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => match UnitCode::parse(c) {
            Ok(c) => Some(c),
            Err(_) => {
                missing.push(Problem::new(
                    "code",
                    "รหัสต้องเป็นตัวเลข 13 หลัก",
                    "A code has 13 digits",
                ));
                None
            }
        },
    };
    if !missing.is_empty() {
        return Err(invalid_fields(&missing));
    }
    let (patch, confirm) = patch_of(n.fields)?;
    let blank = PointState {
        name_th: String::new(),
        name_en: String::new(),
        description_th: String::new(),
        description_en: String::new(),
        address: Address::default(),
        location: LatLon::new(13.75, 100.5).unwrap_or(LatLon {
            lat: 13.75,
            lon: 100.5,
        }),
        phones: Vec::new(),
        email: None,
        website: None,
        hours: WeeklyHours::government_office(),
        hours_note_th: None,
        hours_note_en: None,
        gecc_level: GeccLevel::None,
        is_public: false,
    };
    let state_new = patch.apply(&blank);
    let p = app::points::create(&state.app, &staff, &unit, state_new, code, confirm).await?;
    state.publish().await;
    let location = format!("/api/v1/staff/service-points/{}", p.code);
    let mut r = respond(StatusCode::CREATED, p, true);
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

macro_rules! point_action {
    ($name:ident, $path:literal, $doc:literal, $call:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "staff",
            params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$")),
            security(("session" = []), ("bearer" = [])),
            responses(
                (status = 200, description = "The service point after it", body = StaffPointOut,
                    headers(("ETag" = String, description = "Its revision"))),
                (status = 400, description = "`invalid_parameter`: the code is not 13 digits", body = ApiError),
                (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
                (status = 403, description = "`forbidden`: no right to edit this point", body = ApiError),
                (status = 404, description = "`not_found`: no service point has this code", body = ApiError),
            ))]
        pub async fn $name(
            State(state): State<Shared>,
            staff: Staff,
            ApiPath(code): ApiPath<String>,
        ) -> Result<Response, ApiError> {
            let code = point_code(&code)?;
            let p = $call(&state.app, &staff, &code).await?;
            state.publish().await;
            Ok(respond(StatusCode::OK, p, true))
        }
    };
}

async fn archive_call(
    app: &app::App,
    c: &app::Caller,
    code: &UnitCode,
) -> app::Result<storage::EditPoint> {
    app::points::set_archived(app, c, code, true).await
}

async fn restore_call(
    app: &app::App,
    c: &app::Caller,
    code: &UnitCode,
) -> app::Result<storage::EditPoint> {
    app::points::set_archived(app, c, code, false).await
}

point_action!(
    archive,
    "/api/v1/staff/service-points/{code}/archive",
    "Archives a service point: it leaves the public directory until restored.",
    archive_call
);
point_action!(
    restore,
    "/api/v1/staff/service-points/{code}/restore",
    "Restores an archived service point.",
    restore_call
);
point_action!(
    verify,
    "/api/v1/staff/service-points/{code}/verify",
    "Confirms that the data is correct: the public page shows the date.",
    app::points::verify
);

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChangeOut {
    pub field: String,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryOut {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub by: String,
    /// `service_point`, `photo`, `pin` or `manual`
    pub subject: String,
    /// `create`, `update`, `revert`, `archive`, `restore`, `verify`, …
    pub action: String,
    pub fields: Vec<FieldChangeOut>,
    pub note: Option<String>,
    /// The state after it can be restored with the revert.
    pub restorable: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Entries older than this id (the next page).
    pub before: Option<i64>,
}

/// A service point's history, newest first, 100 entries a page: who changed what when,
/// each field before and after.
#[utoipa::path(get, path = "/api/v1/staff/service-points/{code}/history", tag = "staff",
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$"), HistoryParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The entries", body = [HistoryOut]),
        (status = 400, description = "`invalid_parameter`: the code is not 13 digits or `before` not a number", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no role on the unit that runs it", body = ApiError),
        (status = 404, description = "`not_found`: no service point has this code", body = ApiError),
    ))]
pub async fn history(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(code): ApiPath<String>,
    params: Result<Query<HistoryParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<HistoryOut>>, ApiError> {
    let code = point_code(&code)?;
    let Query(p) = params.map_err(crate::errors::query_rejection)?;
    let (_, entries) = app::points::history(&state.app, &staff, &code, p.before).await?;
    Ok(Json(entries.into_iter().map(history_out).collect()))
}

pub(crate) fn history_out(e: app::points::HistoryEntry) -> HistoryOut {
    HistoryOut {
        id: e.id,
        at: e.at,
        by: e.actor,
        subject: e.subject,
        action: e.action,
        fields: e
            .fields
            .into_iter()
            .map(|f| FieldChangeOut {
                field: f.field.to_owned(),
                before: f.before,
                after: f.after,
            })
            .collect(),
        note: e.note,
        restorable: e.restorable,
    }
}

/// Restores the state the point had after an earlier change of its history; recorded
/// as a change itself. `If-Match` as for a change.
#[utoipa::path(post, path = "/api/v1/staff/service-points/{code}/history/{id}/revert", tag = "staff",
    params(("code" = String, Path, description = "The service point's 13-digit code", pattern = "^[0-9]{13}$"),
           ("id" = i64, Path, description = "The history entry whose state to restore"),
           ("If-Match" = String, Header, description = "The ETag of the current revision, or `*`")),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The service point as restored", body = StaffPointOut,
            headers(("ETag" = String, description = "The new revision"))),
        (status = 400, description = "`invalid_parameter`: the code is not 13 digits or the id not a number", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no right to edit this point", body = ApiError),
        (status = 404, description = "`not_found`: no such point, or no such entry in its history", body = ApiError),
        (status = 412, description = "`stale`: someone saved a change after the revision in `If-Match`", body = ApiError),
        (status = 422, description = "`invalid_field`: the old state breaks today's rules", body = ApiError),
        (status = 428, description = "`if_match_required`: no `If-Match`", body = ApiError),
    ))]
pub async fn revert(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath((code, id)): ApiPath<(String, i64)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let code = point_code(&code)?;
    let current = app::points::point(&state.app, &staff, &code).await?;
    if !current.can_edit {
        return Err(app::AppError::Forbidden.into());
    }
    let revision = if_match(&headers, &code)?.unwrap_or(current.point.revision);
    let p = app::points::revert(&state.app, &staff, &code, id, revision).await?;
    state.publish().await;
    Ok(respond(StatusCode::OK, p, true))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocateParams {
    pub lat: f64,
    pub lon: f64,
}

/// The district and province a dropped pin is in, to suggest for the address.
#[utoipa::path(get, path = "/api/v1/staff/locate", tag = "staff", params(LocateParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The district, or `null` at sea or abroad", body = Option<DistrictOut>),
        (status = 400, description = "`invalid_parameter`: `lat` or `lon` missing or not a number", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: never; any member of staff may ask", body = ApiError),
        (status = 404, description = "`not_found`: never; a pin at sea is `null`", body = ApiError),
    ))]
pub async fn locate(
    _staff: Staff,
    params: Result<Query<LocateParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Option<DistrictOut>>, ApiError> {
    let Query(p) = params.map_err(crate::errors::query_rejection)?;
    Ok(Json(LatLon::new(p.lat, p.lon).and_then(district_out)))
}
