//! The spreadsheet of service points that the back office exports and imports: one
//! definition of its columns, and of how each editable field is written in one cell and
//! read back, so that an exported file imported unchanged changes nothing.
//!
//! Headers are Thai with English after a slash (`รหัสจุดบริการ / Service point code`);
//! an import also takes the Thai or the English half alone. Informational columns
//! (the names of the ministry, department and unit, the last edit, the Authorize Code)
//! are written for the reader and ignored on import.

use chrono::NaiveDate;

use crate::hours::{HoursException, Period, WeeklyHours, format_minutes, parse_hhmm};
use crate::org::{Address, GeccLevel, Phone};
use crate::point_edit::{PointPatch, PointState, phone_digits};
use crate::{LatLon, UnitCode};

/// A column of the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Col {
    Code,
    Ministry,
    Department,
    Unit,
    Name,
    Gecc,
    Visible,
    Edited,
    EditedBy,
    AuthorizeCode,
    ParentUnit,
    NameEn,
    Description,
    DescriptionEn,
    HouseNo,
    Moo,
    Building,
    Road,
    Subdistrict,
    District,
    Province,
    Postcode,
    Lat,
    Lon,
    Phones,
    Email,
    Website,
    Hours,
    OpenOnHolidays,
    SpecialDays,
    HoursNote,
    HoursNoteEn,
    ConfirmDistrict,
    Revision,
}

/// A column's header in both languages, and whether an import reads it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub col: Col,
    pub th: &'static str,
    pub en: &'static str,
    pub editable: bool,
}

impl Column {
    /// The header cell as exported.
    pub fn header(&self) -> String {
        format!("{} / {}", self.th, self.en)
    }
}

const fn c(col: Col, th: &'static str, en: &'static str, editable: bool) -> Column {
    Column {
        col,
        th,
        en,
        editable,
    }
}

/// Every column in the order of the export: the seed's table first, then every field
/// of the form, the revision last.
pub const COLUMNS: [Column; 34] = [
    c(Col::Code, "รหัสจุดบริการ", "Service point code", true),
    c(Col::Ministry, "กระทรวง", "Ministry", false),
    c(Col::Department, "กรม", "Department", false),
    c(Col::Unit, "หน่วยงาน", "Unit", false),
    c(Col::Name, "จุดบริการ", "Service point", true),
    c(Col::Gecc, "ระดับศูนย์ราชการสะดวก", "GECC level", true),
    c(Col::Visible, "แสดงต่อสาธารณะ", "Shown", true),
    c(Col::Edited, "แก้ไขล่าสุด", "Last edited", false),
    c(Col::EditedBy, "แก้ไขโดย", "Edited by", false),
    c(
        Col::AuthorizeCode,
        "Authorize Code",
        "Authorize Code",
        false,
    ),
    c(Col::ParentUnit, "รหัสหน่วยงาน", "Unit code", true),
    c(Col::NameEn, "ชื่อภาษาอังกฤษ", "English name", true),
    c(Col::Description, "คำอธิบาย", "Description", true),
    c(
        Col::DescriptionEn,
        "คำอธิบายภาษาอังกฤษ",
        "English description",
        true,
    ),
    c(Col::HouseNo, "เลขที่", "House number", true),
    c(Col::Moo, "หมู่", "Moo", true),
    c(Col::Building, "อาคาร", "Building", true),
    c(Col::Road, "ถนน", "Road", true),
    c(Col::Subdistrict, "ตำบล/แขวง", "Subdistrict", true),
    c(Col::District, "อำเภอ/เขต", "District", true),
    c(Col::Province, "จังหวัด", "Province", true),
    c(Col::Postcode, "รหัสไปรษณีย์", "Postcode", true),
    c(Col::Lat, "ละติจูด", "Latitude", true),
    c(Col::Lon, "ลองจิจูด", "Longitude", true),
    c(Col::Phones, "โทรศัพท์", "Phones", true),
    c(Col::Email, "อีเมล", "E-mail", true),
    c(Col::Website, "เว็บไซต์", "Website", true),
    c(Col::Hours, "วันและเวลาทำการ", "Weekly hours", true),
    c(
        Col::OpenOnHolidays,
        "เปิดวันหยุดนักขัตฤกษ์",
        "Open on public holidays",
        true,
    ),
    c(Col::SpecialDays, "วันพิเศษ", "Special days", true),
    c(
        Col::HoursNote,
        "หมายเหตุเวลาทำการ",
        "Note on the hours",
        true,
    ),
    c(
        Col::HoursNoteEn,
        "หมายเหตุเวลาทำการภาษาอังกฤษ",
        "English note on the hours",
        true,
    ),
    c(
        Col::ConfirmDistrict,
        "ยืนยันหมุดนอกอำเภอตามที่อยู่",
        "Pin confirmed outside the district",
        true,
    ),
    c(Col::Revision, "ฉบับแก้ไข", "Revision", true),
];

/// Columns an import cannot do without: which point, on which revision, and where a
/// new one goes.
pub const REQUIRED: [Col; 3] = [Col::Code, Col::Revision, Col::ParentUnit];

pub fn column(col: Col) -> &'static Column {
    COLUMNS
        .iter()
        .find(|c| c.col == col)
        .expect("every column is listed")
}

/// The column a header cell names: the exported header, or its Thai or English half
/// (spaces and case aside).
pub fn column_by_header(header: &str) -> Option<&'static Column> {
    let norm = |s: &str| {
        s.trim_start_matches('\u{feff}')
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let h = norm(header);
    if h.is_empty() {
        return None;
    }
    COLUMNS
        .iter()
        .find(|c| h == norm(&c.header()) || h == norm(c.th) || h == norm(c.en))
}

/// The column that a problem of `point_edit::check` (or of the pin's district) names.
pub fn column_of_field(field: &str) -> Col {
    let head = field.split(['[', '.']).next().unwrap_or("");
    match field {
        "name" => Col::Name,
        "name_en" => Col::NameEn,
        "description" => Col::Description,
        "description_en" => Col::DescriptionEn,
        "address.house_no" => Col::HouseNo,
        "address.moo" => Col::Moo,
        "address.building" => Col::Building,
        "address.road" => Col::Road,
        "address.subdistrict" => Col::Subdistrict,
        "address.district" => Col::District,
        "address.province" => Col::Province,
        "address.postcode" => Col::Postcode,
        "location" => Col::Lat,
        "email" => Col::Email,
        "website" => Col::Website,
        "hours.note" => Col::HoursNote,
        "hours.note_en" => Col::HoursNoteEn,
        "gecc_level" => Col::Gecc,
        "visible" => Col::Visible,
        "code" => Col::ParentUnit,
        f if f.starts_with("hours.exceptions") => Col::SpecialDays,
        f if f.starts_with("hours") => Col::Hours,
        _ if head == "phones" => Col::Phones,
        _ => Col::Code,
    }
}

/// A cell refused, with why in Thai and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub col: Col,
    pub th: String,
    pub en: String,
}

fn bad(col: Col, th: impl Into<String>, en: impl Into<String>) -> CellProblem {
    CellProblem {
        col,
        th: th.into(),
        en: en.into(),
    }
}

// ---------------------------------------------------------------------------------
// Writing

/// What the export knows of a point besides its state.
#[derive(Debug, Clone, Default)]
pub struct Info {
    pub ministry: String,
    pub department: String,
    pub unit: String,
    pub edited: String,
    pub edited_by: String,
    pub authorize_code: String,
}

/// A point as one line of the sheet.
pub struct PointLine<'a> {
    pub code: &'a UnitCode,
    pub unit: &'a UnitCode,
    pub state: &'a PointState,
    pub revision: i64,
    pub pin_confirmed: bool,
    pub info: Info,
}

fn yes_no(b: bool) -> String {
    if b { "ใช่" } else { "ไม่ใช่" }.to_owned()
}

pub fn gecc_text(g: GeccLevel) -> &'static str {
    match g {
        GeccLevel::None => "ยังไม่ได้รับการรับรอง",
        GeccLevel::Basic => "ระดับพื้นฐาน",
        GeccLevel::Medium => "ระดับก้าวหน้า",
        GeccLevel::High => "ระดับพัฒนาสู่ความเป็นเลิศ",
    }
}

/// The cells of one line, in the order of [`COLUMNS`].
pub fn write_line(p: &PointLine<'_>) -> Vec<String> {
    let s = p.state;
    let a = &s.address;
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    COLUMNS
        .iter()
        .map(|c| match c.col {
            Col::Code => p.code.to_string(),
            Col::Ministry => p.info.ministry.clone(),
            Col::Department => p.info.department.clone(),
            Col::Unit => p.info.unit.clone(),
            Col::Name => s.name_th.clone(),
            Col::Gecc => gecc_text(s.gecc_level).to_owned(),
            Col::Visible => if s.is_public {
                "แสดง"
            } else {
                "ไม่แสดง"
            }
            .to_owned(),
            Col::Edited => p.info.edited.clone(),
            Col::EditedBy => p.info.edited_by.clone(),
            Col::AuthorizeCode => p.info.authorize_code.clone(),
            Col::ParentUnit => p.unit.to_string(),
            Col::NameEn => s.name_en.clone(),
            Col::Description => s.description_th.clone(),
            Col::DescriptionEn => s.description_en.clone(),
            Col::HouseNo => opt(&a.house_no),
            Col::Moo => opt(&a.moo),
            Col::Building => opt(&a.building),
            Col::Road => opt(&a.road),
            Col::Subdistrict => a.subdistrict.clone(),
            Col::District => a.district.clone(),
            Col::Province => a.province.clone(),
            Col::Postcode => a.postcode.clone(),
            Col::Lat => format!("{}", s.location.lat),
            Col::Lon => format!("{}", s.location.lon),
            Col::Phones => phones_text(&s.phones),
            Col::Email => opt(&s.email),
            Col::Website => opt(&s.website),
            Col::Hours => week_text(&s.hours.periods),
            Col::OpenOnHolidays => yes_no(s.hours.open_on_holidays),
            Col::SpecialDays => special_days_text(&s.hours.exceptions),
            Col::HoursNote => opt(&s.hours_note_th),
            Col::HoursNoteEn => opt(&s.hours_note_en),
            Col::ConfirmDistrict => yes_no(p.pin_confirmed),
            Col::Revision => p.revision.to_string(),
        })
        .collect()
}

/// Thai day abbreviations, Monday first, as calendars print them.
const DAYS: [&str; 7] = ["จ", "อ", "พ", "พฤ", "ศ", "ส", "อา"];
const DAYS_EN: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn ranges_text(ranges: &[(u16, u16)]) -> String {
    ranges
        .iter()
        .map(|(o, c)| format!("{}-{}", format_minutes(*o), format_minutes(*c)))
        .collect::<Vec<_>>()
        .join(",")
}

/// The week in one cell: days with the same hours one after another joined into a
/// range, `จ-ศ 08:30-12:00,13:00-16:30; ส 09:00-12:00`. A period that closes at or
/// before it opens runs past midnight, as in the form.
pub fn week_text(periods: &[Period]) -> String {
    let mut by_day: Vec<Vec<(u16, u16)>> = vec![Vec::new(); 7];
    for p in periods {
        if let Some(d) = by_day.get_mut(usize::from(p.weekday.wrapping_sub(1))) {
            d.push((p.opens, p.closes));
        }
    }
    for d in &mut by_day {
        d.sort();
    }
    let mut groups = Vec::new();
    let mut i = 0;
    while i < 7 {
        if by_day[i].is_empty() {
            i += 1;
            continue;
        }
        let mut j = i;
        while j + 1 < 7 && by_day[j + 1] == by_day[i] {
            j += 1;
        }
        let days = if j > i {
            format!("{}-{}", DAYS[i], DAYS[j])
        } else {
            DAYS[i].to_owned()
        };
        groups.push(format!("{days} {}", ranges_text(&by_day[i])));
        i = j + 1;
    }
    groups.join("; ")
}

/// Phones in one cell: `0 3812 3456 ต่อ 12 (งานทะเบียน / Registration); 08 1234 5678`.
pub fn phones_text(phones: &[Phone]) -> String {
    phones
        .iter()
        .map(|p| {
            let mut s = p.display();
            if let Some(e) = &p.ext {
                s.push_str(&format!(" ต่อ {e}"));
            }
            match (&p.label_th, &p.label_en) {
                (Some(t), Some(e)) => s.push_str(&format!(" ({t} / {e})")),
                (Some(t), None) => s.push_str(&format!(" ({t})")),
                (None, Some(e)) => s.push_str(&format!(" (/ {e})")),
                (None, None) => {}
            }
            s
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Special days, one a line as in the form: `2027-01-04..2027-01-05 ปิด ปรับปรุงสำนักงาน`,
/// runs of equal days joined into a range.
pub fn special_days_text(list: &[HoursException]) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut i = 0;
    while i < list.len() {
        let e = &list[i];
        let mut j = i;
        while j + 1 < list.len()
            && list[j + 1].periods == e.periods
            && list[j + 1].note == e.note
            && (list[j + 1].date - list[j].date).num_days() == 1
        {
            j += 1;
        }
        let dates = if j > i {
            format!("{}..{}", e.date, list[j].date)
        } else {
            e.date.to_string()
        };
        let times = if e.periods.is_empty() {
            "ปิด".to_owned()
        } else {
            e.periods
                .iter()
                .map(|(o, c)| format!("{}-{}", format_minutes(*o), format_minutes(*c)))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let note = e
            .note
            .as_deref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        lines.push(format!("{dates} {times}{note}"));
        i = j + 1;
    }
    lines.join("\n")
}

// ---------------------------------------------------------------------------------
// Reading

fn day_index(word: &str) -> Option<u8> {
    let w = word.trim().trim_end_matches('.').to_lowercase();
    DAYS.iter()
        .position(|d| *d == w)
        .or_else(|| DAYS_EN.iter().position(|d| *d == w))
        .map(|i| i as u8 + 1)
}

fn time_range(text: &str) -> Option<(u16, u16)> {
    let (o, c) = text.trim().split_once(['-', '–'])?;
    Some((parse_hhmm(o)?, parse_hhmm(c)?))
}

/// Reads [`week_text`]'s form back: groups split by `;`, each days (`จ`, `จ-ศ`,
/// `จ,พ,ศ`; English `Mon-Fri` too) and ranges split by `,`. Strict: anything else is
/// refused with what was not understood.
pub fn parse_week(text: &str) -> Result<Vec<Period>, (String, String)> {
    let mut out = Vec::new();
    for group in text.split(';').map(str::trim).filter(|g| !g.is_empty()) {
        let not_read = || {
            (
                format!(
                    "อ่านเวลาทำการ \"{group}\" ไม่ได้: เขียนวันแล้วเว้นวรรคตามด้วยช่วงเวลา เช่น จ-ศ 08:30-12:00,13:00-16:30; ส 09:00-12:00"
                ),
                format!(
                    "Cannot read the hours \"{group}\": days, a space, then times, e.g. Mon-Fri 08:30-12:00,13:00-16:30; Sat 09:00-12:00"
                ),
            )
        };
        let (days, ranges) = group.split_once(char::is_whitespace).ok_or_else(not_read)?;
        let mut weekdays = Vec::new();
        for part in days.split(',') {
            match part.split_once(['-', '–']) {
                Some((a, b)) => {
                    let (a, b) = (
                        day_index(a).ok_or_else(not_read)?,
                        day_index(b).ok_or_else(not_read)?,
                    );
                    if b < a {
                        return Err(not_read());
                    }
                    weekdays.extend(a..=b);
                }
                None => weekdays.push(day_index(part).ok_or_else(not_read)?),
            }
        }
        let mut times = Vec::new();
        for r in ranges.split(',') {
            let r: String = r.split_whitespace().collect();
            times.push(time_range(&r).ok_or_else(not_read)?);
        }
        for d in weekdays {
            for (o, c) in &times {
                out.push(Period {
                    weekday: d,
                    opens: *o,
                    closes: *c,
                });
            }
        }
    }
    Ok(out)
}

/// Reads [`phones_text`]'s form back: numbers split by `;`, each with an optional
/// `ต่อ 12` (or `ext 12`) and `(label / English label)`.
pub fn parse_phones(text: &str) -> Result<Vec<Phone>, (String, String)> {
    let mut out = Vec::new();
    for item in text.split(';').map(str::trim).filter(|i| !i.is_empty()) {
        let not_read = || {
            (
                format!(
                    "อ่านหมายเลขโทรศัพท์ \"{item}\" ไม่ได้: เขียนเช่น 038 123 456 ต่อ 12 (งานทะเบียน); 081 234 5678"
                ),
                format!(
                    "Cannot read the phone \"{item}\": write e.g. 038 123 456 ext 12 (Registration); 081 234 5678"
                ),
            )
        };
        let (rest, label) = match item.find('(') {
            Some(i) => {
                let label = item[i + 1..].strip_suffix(')').ok_or_else(not_read)?;
                (item[..i].trim(), Some(label))
            }
            None => (item, None),
        };
        let (label_th, label_en) = match label {
            None => (None, None),
            Some(l) => {
                let (t, e) = match l.split_once(" / ") {
                    Some((t, e)) => (t, Some(e)),
                    None => match l.trim().strip_prefix('/') {
                        Some(e) => ("", Some(e)),
                        None => (l, None),
                    },
                };
                let t = t.trim();
                let e = e.map(str::trim).filter(|e| !e.is_empty());
                ((!t.is_empty()).then(|| t.to_owned()), e.map(str::to_owned))
            }
        };
        // ASCII lower-casing keeps byte offsets, so the index found is one of `rest`.
        let lower = rest.to_ascii_lowercase();
        let (number, ext) = match ["ต่อ", "ext.", "ext"]
            .iter()
            .find_map(|w| lower.find(w).map(|i| (i, w.len())))
        {
            Some((i, len)) => (&rest[..i], Some(rest[i + len..].trim())),
            None => (rest, None),
        };
        let allowed = |c: char| {
            c.is_ascii_digit() || ('๐'..='๙').contains(&c) || matches!(c, ' ' | '-' | '+')
        };
        if number.trim().is_empty() || !number.chars().all(allowed) {
            return Err(not_read());
        }
        let digits = phone_digits(number);
        let ext = match ext {
            None => None,
            Some(e)
                if !e.is_empty()
                    && e.chars()
                        .all(|c| c.is_ascii_digit() || ('๐'..='๙').contains(&c)) =>
            {
                Some(phone_digits(e))
            }
            Some(_) => return Err(not_read()),
        };
        out.push(Phone {
            number: digits,
            ext,
            label_th,
            label_en,
        });
    }
    Ok(out)
}

/// Reads [`special_days_text`]'s form back, one day or run of days a line.
pub fn parse_special_days(text: &str) -> Result<Vec<HoursException>, (String, String)> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let not_read = || {
            (
                format!(
                    "อ่านวันพิเศษ \"{line}\" ไม่ได้: เขียนบรรทัดละวัน เช่น 2027-01-04..2027-01-05 ปิด ปรับปรุงสำนักงาน หรือ 2027-01-09 09:00-12:00"
                ),
                format!(
                    "Cannot read the special day \"{line}\": one a line, e.g. 2027-01-04..2027-01-05 closed renovation, or 2027-01-09 09:00-12:00"
                ),
            )
        };
        let mut words = line.split_whitespace();
        let dates = words.next().ok_or_else(not_read)?;
        let (from, to) = dates.split_once("..").unwrap_or((dates, dates));
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| not_read());
        let (from, to) = (date(from)?, date(to)?);
        let days = (to - from).num_days();
        if !(0..=120).contains(&days) {
            return Err(not_read());
        }
        let mut periods = Vec::new();
        let mut note = Vec::new();
        let mut closed = false;
        for w in words {
            if note.is_empty()
                && periods.is_empty()
                && matches!(w.to_lowercase().as_str(), "ปิด" | "closed")
            {
                closed = true;
                continue;
            }
            if note.is_empty()
                && !closed
                && let Some(r) = time_range(w)
            {
                periods.push(r);
                continue;
            }
            note.push(w);
        }
        if !closed && periods.is_empty() {
            return Err(not_read());
        }
        let note = (!note.is_empty()).then(|| note.join(" "));
        out.extend((0..=days).map(|d| HoursException {
            date: from + chrono::Duration::days(d),
            periods: periods.clone(),
            note: note.clone(),
        }));
    }
    Ok(out)
}

fn parse_bool(text: &str, yes: &[&str], no: &[&str]) -> Option<bool> {
    let t = text.trim().to_lowercase();
    if t.is_empty() || no.contains(&t.as_str()) {
        Some(false)
    } else if yes.contains(&t.as_str()) {
        Some(true)
    } else {
        None
    }
}

const YES: [&str; 5] = ["ใช่", "yes", "true", "1", "y"];
const NO: [&str; 6] = ["ไม่ใช่", "ไม่", "no", "false", "0", "n"];

pub fn parse_gecc(text: &str) -> Option<GeccLevel> {
    let t = text.trim().to_lowercase();
    [
        GeccLevel::None,
        GeccLevel::Basic,
        GeccLevel::Medium,
        GeccLevel::High,
    ]
    .into_iter()
    .find(|g| t == g.as_str() || t == gecc_text(*g))
}

/// One line of an import, read: which point, on which revision, under which unit, and
/// the change (the columns the file has; absent ones stay as they are).
#[derive(Debug, Clone, Default)]
pub struct LineIn {
    pub code: Option<UnitCode>,
    pub unit: Option<UnitCode>,
    pub revision: Option<i64>,
    pub patch: PointPatch,
    /// `None` when the file has no such column.
    pub confirm_district: Option<bool>,
    /// The latitude and longitude cells, when the file has the column: `Some(None)`
    /// for an empty cell.
    pub lat: Option<Option<f64>>,
    pub lon: Option<Option<f64>>,
}

impl LineIn {
    /// The pin the line asks for, completed from `current` when the file has only one
    /// of the two columns; `Ok(None)` when it has neither.
    pub fn location(&self, current: Option<LatLon>) -> Result<Option<LatLon>, CellProblem> {
        let (lat, lon) = match (self.lat, self.lon) {
            (None, None) => return Ok(None),
            (Some(a), Some(o)) => (a, o),
            (Some(a), None) => (a, current.map(|c| c.lon)),
            (None, Some(o)) => (current.map(|c| c.lat), o),
        };
        let (Some(lat), Some(lon)) = (lat, lon) else {
            return Err(bad(
                Col::Lat,
                "กรุณากรอกทั้งละติจูดและลองจิจูด",
                "Both the latitude and the longitude are needed",
            ));
        };
        LatLon::new(lat, lon).map(Some).ok_or_else(|| {
            bad(
                Col::Lat,
                "พิกัดอยู่นอกช่วง (ละติจูด −90 ถึง 90, ลองจิจูด −180 ถึง 180)",
                "The coordinates are out of range (latitude −90 to 90, longitude −180 to 180)",
            )
        })
    }
}

/// At most this many characters in a cell; the fields' own limits are checked after.
pub const MAX_CELL_CHARS: usize = 20_000;

/// Reads one line: `cells` pairs each column of the file with its cell's text.
pub fn read_line(cells: &[(Col, &str)]) -> Result<LineIn, Vec<CellProblem>> {
    let mut line = LineIn::default();
    let mut problems = Vec::new();
    let mut address: Option<Address> = None;
    let mut lat: Option<Option<f64>> = None;
    let mut lon: Option<Option<f64>> = None;
    let mut hours_cols = false;
    let mut weekly = None;
    let mut holidays = None;
    let mut special = None;
    let opt = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    for &(col, raw) in cells {
        if raw.chars().count() > MAX_CELL_CHARS {
            problems.push(bad(
                col,
                format!("ข้อมูลในช่องยาวเกิน {MAX_CELL_CHARS} ตัวอักษร"),
                format!("The cell holds more than {MAX_CELL_CHARS} characters"),
            ));
            continue;
        }
        let t = raw.trim();
        let p = &mut line.patch;
        let addr = || address.clone().unwrap_or_default();
        match col {
            Col::Code | Col::ParentUnit => {
                if t.is_empty() {
                    continue;
                }
                match UnitCode::parse(t) {
                    Ok(code) if col == Col::Code => line.code = Some(code),
                    Ok(code) => line.unit = Some(code),
                    Err(_) => problems.push(bad(
                        col,
                        "รหัสต้องเป็นตัวเลข 13 หลัก (จัดรูปแบบช่องเป็นข้อความเพื่อไม่ให้เลข 0 นำหน้าหาย)",
                        "A code has 13 digits (format the cell as text so that the leading 0 stays)",
                    )),
                }
            }
            Col::Revision => {
                if t.is_empty() {
                    continue;
                }
                match t.parse::<i64>() {
                    Ok(r) if r >= 1 => line.revision = Some(r),
                    _ => problems.push(bad(
                        col,
                        "ฉบับแก้ไขเป็นเลขจำนวนเต็มตามที่ส่งออก",
                        "The revision is the whole number the export wrote",
                    )),
                }
            }
            Col::Name => p.name_th = Some(t.to_owned()),
            Col::NameEn => p.name_en = Some(t.to_owned()),
            Col::Description => p.description_th = Some(t.to_owned()),
            Col::DescriptionEn => p.description_en = Some(t.to_owned()),
            Col::HouseNo => {
                address = Some(Address {
                    house_no: opt(t),
                    ..addr()
                })
            }
            Col::Moo => {
                address = Some(Address {
                    moo: opt(t),
                    ..addr()
                })
            }
            Col::Building => {
                address = Some(Address {
                    building: opt(t),
                    ..addr()
                })
            }
            Col::Road => {
                address = Some(Address {
                    road: opt(t),
                    ..addr()
                })
            }
            Col::Subdistrict => {
                address = Some(Address {
                    subdistrict: t.to_owned(),
                    ..addr()
                })
            }
            Col::District => {
                address = Some(Address {
                    district: t.to_owned(),
                    ..addr()
                })
            }
            Col::Province => {
                address = Some(Address {
                    province: t.to_owned(),
                    ..addr()
                })
            }
            Col::Postcode => {
                address = Some(Address {
                    postcode: t.to_owned(),
                    ..addr()
                })
            }
            Col::Lat | Col::Lon => {
                let v = if t.is_empty() {
                    None
                } else {
                    match t.parse::<f64>() {
                        Ok(v) if v.is_finite() => Some(v),
                        _ => {
                            problems.push(bad(
                                col,
                                "พิกัดเป็นตัวเลขทศนิยม เช่น 12.9276",
                                "A coordinate is a decimal number, e.g. 12.9276",
                            ));
                            continue;
                        }
                    }
                };
                if col == Col::Lat {
                    lat = Some(v);
                } else {
                    lon = Some(v);
                }
            }
            Col::Phones => match parse_phones(t) {
                Ok(ps) => p.phones = Some(ps),
                Err((th, en)) => problems.push(bad(col, th, en)),
            },
            Col::Email => p.email = Some(opt(t)),
            Col::Website => p.website = Some(opt(t)),
            Col::Hours => {
                hours_cols = true;
                match parse_week(t) {
                    Ok(w) => weekly = Some(w),
                    Err((th, en)) => problems.push(bad(col, th, en)),
                }
            }
            Col::OpenOnHolidays => {
                hours_cols = true;
                match parse_bool(t, &YES, &NO) {
                    Some(b) => holidays = Some(b),
                    None => problems.push(bad(col, "เขียน ใช่ หรือ ไม่ใช่", "Write yes or no")),
                }
            }
            Col::SpecialDays => {
                hours_cols = true;
                match parse_special_days(raw) {
                    Ok(s) => special = Some(s),
                    Err((th, en)) => problems.push(bad(col, th, en)),
                }
            }
            Col::HoursNote => p.hours_note_th = Some(opt(t)),
            Col::HoursNoteEn => p.hours_note_en = Some(opt(t)),
            Col::Gecc => match parse_gecc(t) {
                Some(g) => p.gecc_level = Some(g),
                None => problems.push(bad(
                    col,
                    "ระดับต้องเป็น ยังไม่ได้รับการรับรอง, ระดับพื้นฐาน, ระดับก้าวหน้า หรือ ระดับพัฒนาสู่ความเป็นเลิศ",
                    "The level is none, basic, medium or high (or its Thai name)",
                )),
            },
            Col::Visible => {
                match parse_bool(
                    t,
                    &["แสดง", "yes", "true", "1", "shown"],
                    &["ไม่แสดง", "ซ่อน", "no", "false", "0", "hidden"],
                ) {
                    Some(b) if !t.is_empty() => p.is_public = Some(b),
                    _ => problems.push(bad(col, "เขียน แสดง หรือ ไม่แสดง", "Write shown or hidden")),
                }
            }
            Col::ConfirmDistrict => match parse_bool(t, &YES, &NO) {
                Some(b) => line.confirm_district = Some(b),
                None => problems.push(bad(col, "เขียน ใช่ หรือ ไม่ใช่", "Write yes or no")),
            },
            Col::Ministry
            | Col::Department
            | Col::Unit
            | Col::Edited
            | Col::EditedBy
            | Col::AuthorizeCode => {}
        }
    }
    // Parts of the address the file lacks are filled from the point when it is known.
    line.patch.address = address;
    if hours_cols {
        line.patch.hours = Some(WeeklyHours {
            periods: weekly.unwrap_or_default(),
            open_on_holidays: holidays.unwrap_or_default(),
            exceptions: special.unwrap_or_default(),
        });
    }
    line.lat = lat;
    line.lon = lon;
    if problems.is_empty() {
        Ok(line)
    } else {
        Err(problems)
    }
}

/// Which columns of the address the file has, so that a file without some of them
/// keeps the point's own values there.
pub fn merge_address(file: &Address, current: &Address, cols: &[Col]) -> Address {
    let has = |c: Col| cols.contains(&c);
    let pick = |c: Col, f: &Option<String>, cur: &Option<String>| {
        if has(c) { f.clone() } else { cur.clone() }
    };
    let pick_s = |c: Col, f: &String, cur: &String| {
        if has(c) { f.clone() } else { cur.clone() }
    };
    Address {
        house_no: pick(Col::HouseNo, &file.house_no, &current.house_no),
        moo: pick(Col::Moo, &file.moo, &current.moo),
        building: pick(Col::Building, &file.building, &current.building),
        road: pick(Col::Road, &file.road, &current.road),
        subdistrict: pick_s(Col::Subdistrict, &file.subdistrict, &current.subdistrict),
        district: pick_s(Col::District, &file.district, &current.district),
        province: pick_s(Col::Province, &file.province, &current.province),
        postcode: pick_s(Col::Postcode, &file.postcode, &current.postcode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point_edit::tidy;

    fn state() -> PointState {
        PointState {
            name_th: "ที่ว่าการอำเภอบางละมุง".into(),
            name_en: "Bang Lamung District Office".into(),
            description_th: "บรรทัดหนึ่ง\nบรรทัดสอง, มีจุลภาค \"และอัญประกาศ\"".into(),
            description_en: String::new(),
            address: Address {
                house_no: Some("1".into()),
                moo: Some("5".into()),
                building: None,
                road: Some("สุขุมวิท".into()),
                subdistrict: "นาเกลือ".into(),
                district: "บางละมุง".into(),
                province: "ชลบุรี".into(),
                postcode: "20150".into(),
            },
            location: LatLon::new(12.927_612_3, 100.877_1).unwrap(),
            phones: vec![
                Phone {
                    number: "038123456".into(),
                    ext: Some("12".into()),
                    label_th: Some("งานทะเบียน".into()),
                    label_en: Some("Registration".into()),
                },
                Phone {
                    number: "0812345678".into(),
                    ext: None,
                    label_th: None,
                    label_en: None,
                },
                Phone {
                    number: "1111".into(),
                    ext: None,
                    label_th: None,
                    label_en: Some("Hotline".into()),
                },
            ],
            email: Some("saraban@example.go.th".into()),
            website: None,
            hours: WeeklyHours {
                periods: {
                    let mut p = WeeklyHours::government_office().periods;
                    p.push(Period {
                        weekday: 6,
                        opens: 540,
                        closes: 720,
                    });
                    p.push(Period {
                        weekday: 7,
                        opens: 1320,
                        closes: 360,
                    });
                    p
                },
                open_on_holidays: true,
                exceptions: vec![
                    HoursException {
                        date: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap(),
                        periods: vec![],
                        note: Some("ปรับปรุงสำนักงาน".into()),
                    },
                    HoursException {
                        date: NaiveDate::from_ymd_opt(2027, 1, 5).unwrap(),
                        periods: vec![],
                        note: Some("ปรับปรุงสำนักงาน".into()),
                    },
                    HoursException {
                        date: NaiveDate::from_ymd_opt(2027, 1, 9).unwrap(),
                        periods: vec![(540, 720), (780, 900)],
                        note: None,
                    },
                ],
            },
            hours_note_th: Some("ปิดพักเที่ยง".into()),
            hours_note_en: None,
            gecc_level: GeccLevel::Medium,
            is_public: false,
        }
    }

    #[test]
    fn the_week_reads_back_as_written() {
        let s = state();
        let text = week_text(&s.hours.periods);
        assert_eq!(
            text,
            "จ-ศ 08:30-12:00,13:00-16:30; ส 09:00-12:00; อา 22:00-06:00"
        );
        let mut back = parse_week(&text).unwrap();
        back.sort_by_key(|p| (p.weekday, p.opens));
        let mut want = s.hours.periods.clone();
        want.sort_by_key(|p| (p.weekday, p.opens));
        assert_eq!(back, want);
        // Other spellings: dots, lists, English, an en dash, spaces around commas.
        let other = parse_week("จ.,พ. 08.30–12:00 , 13:00-16:30;Sat 09:00-12:00").unwrap();
        assert_eq!(other.len(), 5);
        assert_eq!(
            other[0],
            Period {
                weekday: 1,
                opens: 510,
                closes: 720
            }
        );
        assert_eq!(other[4].weekday, 6);
        assert_eq!(parse_week("").unwrap(), vec![]);
        assert_eq!(
            week_text(&parse_week("จ-อา 00:00-24:00").unwrap()),
            "จ-อา 00:00-24:00"
        );
        for bad in [
            "จ-ศ",
            "ทุกวัน 08:30-16:30",
            "จ-ศ 8:30",
            "จ-ศ 08:30-16:70",
            "ศ-จ 08:00-09:00",
            "จ-ศ 08:30-12:00 13:00-16:30",
        ] {
            assert!(parse_week(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones_read_back_as_written() {
        let s = state();
        let text = phones_text(&s.phones);
        assert_eq!(
            text,
            "0 3812 3456 ต่อ 12 (งานทะเบียน / Registration); 081 234 5678; 1111 (/ Hotline)"
        );
        assert_eq!(parse_phones(&text).unwrap(), s.phones);
        let typed = parse_phones("038 123 456 ต่อ 12 (งานทะเบียน); +66 81-234-5678; 038123457 ext 5")
            .unwrap();
        assert_eq!(typed[0].number, "038123456");
        assert_eq!(typed[0].ext.as_deref(), Some("12"));
        assert_eq!(typed[0].label_th.as_deref(), Some("งานทะเบียน"));
        assert_eq!(typed[0].label_en, None);
        assert_eq!(typed[1].number, "0812345678");
        assert_eq!(typed[2].ext.as_deref(), Some("5"));
        assert_eq!(parse_phones(" ").unwrap(), vec![]);
        for bad in [
            "โทร 038123456",
            "038123456 ต่อ",
            "038123456 ต่อ สิบ",
            "038123456 (งาน",
            "038/123456",
        ] {
            assert!(parse_phones(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn special_days_read_back_as_written() {
        let s = state();
        let text = special_days_text(&s.hours.exceptions);
        assert_eq!(
            text,
            "2027-01-04..2027-01-05 ปิด ปรับปรุงสำนักงาน\n2027-01-09 09:00-12:00 13:00-15:00"
        );
        assert_eq!(parse_special_days(&text).unwrap(), s.hours.exceptions);
        assert!(parse_special_days("2027-01-09").is_err());
        assert!(parse_special_days("2027-02-30 ปิด").is_err());
        assert!(parse_special_days("2027-01-09..2026-01-01 ปิด").is_err());
    }

    fn line_of(s: &PointState) -> Vec<String> {
        let code = UnitCode::parse("0112140410304").unwrap();
        let unit = UnitCode::parse("0112140410104").unwrap();
        write_line(&PointLine {
            code: &code,
            unit: &unit,
            state: s,
            revision: 7,
            pin_confirmed: true,
            info: Info {
                ministry: "กระทรวงมหาดไทย".into(),
                ..Info::default()
            },
        })
    }

    #[test]
    fn a_whole_line_reads_back_to_the_same_state() {
        let s = tidy(state());
        let cells = line_of(&s);
        assert_eq!(cells.len(), COLUMNS.len());
        let pairs: Vec<(Col, &str)> = COLUMNS
            .iter()
            .map(|c| c.col)
            .zip(cells.iter().map(String::as_str))
            .collect();
        let line = read_line(&pairs).unwrap();
        assert_eq!(line.code.unwrap().as_str(), "0112140410304");
        assert_eq!(line.unit.unwrap().as_str(), "0112140410104");
        assert_eq!(line.revision, Some(7));
        assert_eq!(line.confirm_district, Some(true));
        // Applied on anything, a whole line gives back the state it was written from.
        let mut other = s.clone();
        other.name_th = "อื่น".into();
        other.address = Address::default();
        other.phones.clear();
        let mut patch = line.patch.clone();
        patch.location = line.location(None).unwrap();
        patch.address = patch
            .address
            .map(|a| merge_address(&a, &other.address, &ADDRESS_COLS));
        assert_eq!(patch.apply(&other), s);
    }

    const ADDRESS_COLS: [Col; 8] = [
        Col::HouseNo,
        Col::Moo,
        Col::Building,
        Col::Road,
        Col::Subdistrict,
        Col::District,
        Col::Province,
        Col::Postcode,
    ];

    #[test]
    fn headers_are_read_in_either_language() {
        assert_eq!(
            column_by_header("\u{feff}รหัสจุดบริการ / Service point code")
                .unwrap()
                .col,
            Col::Code
        );
        assert_eq!(column_by_header("รหัสจุดบริการ").unwrap().col, Col::Code);
        assert_eq!(column_by_header(" phones ").unwrap().col, Col::Phones);
        assert!(column_by_header("Telephone").is_none());
        assert!(column_by_header("").is_none());
        // Every header is distinct in both halves, or a file could not be read.
        for (i, a) in COLUMNS.iter().enumerate() {
            for b in &COLUMNS[i + 1..] {
                assert_ne!(a.th, b.th);
                assert_ne!(a.en.to_lowercase(), b.en.to_lowercase());
            }
        }
        assert_eq!(column_of_field("phones[2].ext"), Col::Phones);
        assert_eq!(column_of_field("hours.weekly[1]"), Col::Hours);
        assert_eq!(column_of_field("hours.exceptions[0]"), Col::SpecialDays);
        assert_eq!(column_of_field("hours.note"), Col::HoursNote);
        assert_eq!(column_of_field("address.postcode"), Col::Postcode);
    }

    #[test]
    fn refused_cells_name_their_column() {
        let cells = [
            (Col::Code, "11214041030"),
            (Col::Phones, "โทร 038"),
            (Col::Lat, "สิบสอง"),
            (Col::Lon, "100.9"),
            (Col::Gecc, "ดีมาก"),
            (Col::Visible, ""),
        ];
        let err = read_line(&cells).unwrap_err();
        let cols: Vec<Col> = err.iter().map(|p| p.col).collect();
        assert_eq!(
            cols,
            [Col::Code, Col::Phones, Col::Lat, Col::Gecc, Col::Visible]
        );
        let long = "ก".repeat(MAX_CELL_CHARS + 1);
        let err = read_line(&[(Col::Description, &long)]).unwrap_err();
        assert_eq!(err[0].col, Col::Description);
        // A latitude alone is kept aside for the use case to refuse or complete.
        let l = read_line(&[(Col::Lat, "13.0")]).unwrap();
        let here = LatLon::new(12.0, 100.5).unwrap();
        assert_eq!(l.location(Some(here)).unwrap(), LatLon::new(13.0, 100.5));
        assert!(l.location(None).is_err());
        let l = read_line(&[(Col::Lat, "13.0"), (Col::Lon, "")]).unwrap();
        assert!(l.location(Some(here)).is_err());
        let l = read_line(&[(Col::Lat, "95"), (Col::Lon, "100")]).unwrap();
        assert!(l.location(None).is_err());
    }
}
