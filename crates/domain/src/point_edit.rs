//! What staff edit on a service point, the rules a save must pass, and the field-by-
//! field difference that the history shows. The district check of the pin needs the
//! boundaries and is made by the use case; everything else is here.

use serde::{Deserialize, Serialize};

use crate::hours::{HoursException, Period, WeeklyHours, format_minutes};
use crate::org::{Address, GeccLevel, Phone};
use crate::problem::{Problem, plain_text};
use crate::{LatLon, UnitCode};

/// The editable state of a service point: every field of its public detail. Kept in
/// the history as JSON, before and after each change, so a revert restores it whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointState {
    pub name_th: String,
    pub name_en: String,
    pub description_th: String,
    pub description_en: String,
    pub address: Address,
    pub location: LatLon,
    pub phones: Vec<Phone>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub hours: WeeklyHours,
    pub hours_note_th: Option<String>,
    pub hours_note_en: Option<String>,
    pub gecc_level: GeccLevel,
    pub is_public: bool,
}

/// A partial change: `None` leaves a field as it is; for the optional fields
/// `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PointPatch {
    pub name_th: Option<String>,
    pub name_en: Option<String>,
    pub description_th: Option<String>,
    pub description_en: Option<String>,
    pub address: Option<Address>,
    pub location: Option<LatLon>,
    pub phones: Option<Vec<Phone>>,
    pub email: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub hours: Option<WeeklyHours>,
    pub hours_note_th: Option<Option<String>>,
    pub hours_note_en: Option<Option<String>>,
    pub gecc_level: Option<GeccLevel>,
    pub is_public: Option<bool>,
}

impl PointPatch {
    pub fn apply(self, s: &PointState) -> PointState {
        let mut s = s.clone();
        macro_rules! take {
            ($($f:ident),*) => { $( if let Some(v) = self.$f { s.$f = v; } )* };
        }
        take!(
            name_th,
            name_en,
            description_th,
            description_en,
            address,
            location,
            phones,
            email,
            website,
            hours,
            hours_note_th,
            hours_note_en,
            gecc_level,
            is_public
        );
        tidy(s)
    }
}

/// Blank optional text is no text; names and lines are trimmed.
pub fn tidy(mut s: PointState) -> PointState {
    fn opt(v: Option<String>) -> Option<String> {
        v.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
    }
    s.name_th = s.name_th.trim().to_owned();
    s.name_en = s.name_en.trim().to_owned();
    s.description_th = s.description_th.trim().to_owned();
    s.description_en = s.description_en.trim().to_owned();
    let a = &mut s.address;
    a.house_no = opt(a.house_no.take());
    a.moo = opt(a.moo.take());
    a.building = opt(a.building.take());
    a.road = opt(a.road.take());
    for t in [
        &mut a.subdistrict,
        &mut a.district,
        &mut a.province,
        &mut a.postcode,
    ] {
        *t = t.trim().to_owned();
    }
    s.email = opt(s.email);
    s.website = opt(s.website);
    s.hours_note_th = opt(s.hours_note_th);
    s.hours_note_en = opt(s.hours_note_en);
    for p in &mut s.phones {
        p.number = phone_digits(&p.number);
        p.ext = opt(p.ext.take());
        p.label_th = opt(p.label_th.take());
        p.label_en = opt(p.label_en.take());
    }
    s.hours.periods.sort_by_key(|p| (p.weekday, p.opens));
    s.hours.exceptions.sort_by_key(|e| e.date);
    s
}

/// Digits of a phone number as typed: spaces, dashes and brackets dropped, Thai digits
/// read, a leading +66 made national.
pub fn phone_digits(input: &str) -> String {
    let mut d: String = input
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '๐'..='๙' => char::from_digit(c as u32 - '๐' as u32, 10),
            _ => None,
        })
        .collect();
    if input.trim_start().starts_with('+') && d.starts_with("66") {
        d = format!("0{}", &d[2..]);
    }
    d
}

/// A Thai number a citizen can dial: a landline (9 digits, 02–07), a mobile (10 digits,
/// 06, 08, 09) or a hotline of four digits starting with 1 (1111, 1548).
pub fn thai_phone(digits: &str) -> bool {
    let b = digits.as_bytes();
    match b.len() {
        4 => b[0] == b'1',
        9 => b[0] == b'0' && (b'2'..=b'7').contains(&b[1]),
        10 => b[0] == b'0' && matches!(b[1], b'6' | b'8' | b'9'),
        _ => false,
    }
}

/// Thailand's bounding box with a margin: a first check that needs no boundaries.
pub fn roughly_in_thailand(p: LatLon) -> bool {
    (5.5..=20.5).contains(&p.lat) && (97.3..=105.7).contains(&p.lon)
}

const MAX_PHONES: usize = 10;
const MAX_EXCEPTIONS: usize = 400;

/// Every rule of a save but the district of the pin: a problem per field.
pub fn check(s: &PointState) -> Vec<Problem> {
    let mut out = Vec::new();
    plain_text(&mut out, "name", &s.name_th, 200, true);
    plain_text(&mut out, "name_en", &s.name_en, 200, false);
    plain_text(&mut out, "description", &s.description_th, 2000, false);
    plain_text(&mut out, "description_en", &s.description_en, 2000, false);
    check_address(&mut out, &s.address);
    if !roughly_in_thailand(s.location) {
        out.push(Problem::new(
            "location",
            "หมุดอยู่นอกประเทศไทย กรุณาวางหมุดที่ตั้งของหน่วยบริการ",
            "The pin is outside Thailand; place it where the office is",
        ));
    }
    if s.phones.len() > MAX_PHONES {
        out.push(Problem::new(
            "phones",
            format!("ใส่หมายเลขโทรศัพท์ได้ไม่เกิน {MAX_PHONES} หมายเลข"),
            format!("At most {MAX_PHONES} phone numbers"),
        ));
    }
    for (i, p) in s.phones.iter().enumerate() {
        if !thai_phone(&p.number) {
            out.push(Problem::new(
                format!("phones[{i}].number"),
                "หมายเลขโทรศัพท์ไม่ถูกต้อง: โทรศัพท์พื้นฐาน 9 หลัก (02–07) มือถือ 10 หลัก (06 08 09) หรือสายด่วน 4 หลัก",
                "Not a Thai number: a landline has 9 digits (02–07), a mobile 10 (06, 08, 09), a hotline 4",
            ));
        }
        if let Some(ext) = &p.ext
            && (ext.is_empty() || ext.len() > 6 || !ext.chars().all(|c| c.is_ascii_digit()))
        {
            out.push(Problem::new(
                format!("phones[{i}].ext"),
                "เบอร์ต่อเป็นตัวเลข 1–6 หลัก",
                "An extension has 1 to 6 digits",
            ));
        }
        plain_text(
            &mut out,
            &format!("phones[{i}].label"),
            p.label_th.as_deref().unwrap_or(""),
            60,
            false,
        );
        plain_text(
            &mut out,
            &format!("phones[{i}].label_en"),
            p.label_en.as_deref().unwrap_or(""),
            60,
            false,
        );
    }
    if let Some(e) = &s.email
        && crate::account::email(e).is_err()
    {
        out.push(Problem::new(
            "email",
            "รูปแบบอีเมลไม่ถูกต้อง",
            "This is not a valid e-mail address",
        ));
    }
    if let Some(w) = &s.website
        && !website(w)
    {
        out.push(Problem::new(
            "website",
            "เว็บไซต์ต้องขึ้นต้นด้วย https:// หรือ http:// และมีชื่อโดเมน",
            "A website starts with https:// or http:// and has a domain name",
        ));
    }
    check_hours(&mut out, &s.hours);
    plain_text(
        &mut out,
        "hours.note",
        s.hours_note_th.as_deref().unwrap_or(""),
        500,
        false,
    );
    plain_text(
        &mut out,
        "hours.note_en",
        s.hours_note_en.as_deref().unwrap_or(""),
        500,
        false,
    );
    out
}

fn website(w: &str) -> bool {
    let rest = w
        .strip_prefix("https://")
        .or_else(|| w.strip_prefix("http://"));
    let Some(rest) = rest else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    w.len() <= 300
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && !w.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn check_address(out: &mut Vec<Problem>, a: &Address) {
    for (field, v, max) in [
        ("address.house_no", a.house_no.as_deref(), 50),
        ("address.moo", a.moo.as_deref(), 10),
        ("address.building", a.building.as_deref(), 200),
        ("address.road", a.road.as_deref(), 100),
    ] {
        plain_text(out, field, v.unwrap_or(""), max, false);
    }
    for (field, v) in [
        ("address.subdistrict", &a.subdistrict),
        ("address.district", &a.district),
        ("address.province", &a.province),
    ] {
        plain_text(out, field, v, 100, true);
    }
    if !(a.postcode.len() == 5 && a.postcode.chars().all(|c| c.is_ascii_digit())) {
        out.push(Problem::new(
            "address.postcode",
            "รหัสไปรษณีย์เป็นตัวเลข 5 หลัก",
            "A postcode has 5 digits",
        ));
    }
}

/// Minutes of the week, Monday 00:00 = 0; a period past midnight runs into the next
/// day (Sunday's into Monday's).
fn week_span(p: &Period) -> (u32, u32) {
    let start = u32::from(p.weekday - 1) * 1440 + u32::from(p.opens);
    let len = if p.closes > p.opens {
        u32::from(p.closes - p.opens)
    } else {
        1440 - u32::from(p.opens) + u32::from(p.closes)
    };
    (start, start + len)
}

const WEEK: u32 = 7 * 1440;

fn overlaps((a0, a1): (u32, u32), (b0, b1): (u32, u32)) -> bool {
    // On the week's circle: compare also with the other shifted by a week.
    [0, WEEK].iter().any(|&s| a0 < b1 + s && b0 + s < a1) || (b0 < a1 + WEEK && a0 + WEEK < b1)
}

fn check_hours(out: &mut Vec<Problem>, h: &WeeklyHours) {
    for (i, p) in h.periods.iter().enumerate() {
        let field = format!("hours.weekly[{i}]");
        if !(1..=7).contains(&p.weekday) || p.opens >= 1440 || p.closes > 1440 {
            out.push(Problem::new(
                field,
                "วันหรือเวลาไม่ถูกต้อง",
                "The day or time is not valid",
            ));
            continue;
        }
        if p.opens == p.closes {
            out.push(Problem::new(
                field,
                "เวลาเปิดและปิดต้องไม่ใช่เวลาเดียวกัน",
                "Opening and closing times must differ",
            ));
            continue;
        }
        if let Some(j) = h.periods[..i].iter().position(|q| {
            (1..=7).contains(&q.weekday)
                && q.opens < 1440
                && q.closes <= 1440
                && q.opens != q.closes
                && overlaps(week_span(q), week_span(p))
        }) {
            let other = &h.periods[j];
            out.push(Problem::new(
                field,
                format!(
                    "ช่วงเวลาซ้อนกับช่วง {}–{}",
                    format_minutes(other.opens),
                    format_minutes(other.closes)
                ),
                format!(
                    "Overlaps the hours {}–{}",
                    format_minutes(other.opens),
                    format_minutes(other.closes)
                ),
            ));
        }
    }
    if h.exceptions.len() > MAX_EXCEPTIONS {
        out.push(Problem::new(
            "hours.exceptions",
            format!("วันพิเศษได้ไม่เกิน {MAX_EXCEPTIONS} วัน"),
            format!("At most {MAX_EXCEPTIONS} special days"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, e) in h.exceptions.iter().enumerate() {
        let field = format!("hours.exceptions[{i}]");
        if !seen.insert(e.date) {
            out.push(Problem::new(
                field.clone(),
                "วันนี้มีอยู่แล้ว",
                "This date is already listed",
            ));
        }
        check_day(out, &field, e);
    }
}

fn check_day(out: &mut Vec<Problem>, field: &str, e: &HoursException) {
    let mut sorted = e.periods.clone();
    sorted.sort();
    for (o, c) in &sorted {
        if *o >= *c || *c > 1440 {
            out.push(Problem::new(
                field,
                "เวลาปิดต้องหลังเวลาเปิด",
                "The closing time must be after the opening time",
            ));
            return;
        }
    }
    if sorted.windows(2).any(|w| w[1].0 < w[0].1) {
        out.push(Problem::new(
            field,
            "ช่วงเวลาในวันเดียวกันซ้อนกัน",
            "Two stretches of the day overlap",
        ));
    }
    plain_text(out, field, e.note.as_deref().unwrap_or(""), 200, false);
}

/// The next free code for a new service point under `parent`: the parent's code with
/// the tenth digit 3 (service points sit beside their office in the numbering) and
/// the last three counting up. `None` when all thousand are taken.
pub fn next_point_code(parent: &UnitCode, taken: impl Fn(&UnitCode) -> bool) -> Option<UnitCode> {
    let base = &parent.as_str()[..9];
    (1..1000).find_map(|n| {
        let code = UnitCode::parse(&format!("{base}3{n:03}")).ok()?;
        (!taken(&code)).then_some(code)
    })
}

/// One field that differs between two states, worded for the history page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// The fields that differ, each as text.
pub fn diff(before: Option<&PointState>, after: Option<&PointState>) -> Vec<FieldChange> {
    let text = |s: Option<&PointState>| -> Vec<(&'static str, String)> {
        let Some(s) = s else { return Vec::new() };
        vec![
            ("name", s.name_th.clone()),
            ("name_en", s.name_en.clone()),
            ("description", s.description_th.clone()),
            ("description_en", s.description_en.clone()),
            ("address", s.address.line_th()),
            (
                "location",
                format!("{:.6}, {:.6}", s.location.lat, s.location.lon),
            ),
            (
                "phones",
                s.phones
                    .iter()
                    .map(|p| match &p.ext {
                        Some(e) => format!("{} ต่อ {e}", p.display()),
                        None => p.display(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            ("email", s.email.clone().unwrap_or_default()),
            ("website", s.website.clone().unwrap_or_default()),
            ("hours", hours_text(&s.hours)),
            ("hours.note", s.hours_note_th.clone().unwrap_or_default()),
            ("gecc_level", s.gecc_level.as_str().to_owned()),
            (
                "visible",
                if s.is_public {
                    "แสดง"
                } else {
                    "ซ่อน"
                }
                .to_owned(),
            ),
        ]
    };
    let (a, b) = (text(before), text(after));
    let names: Vec<&'static str> = a.iter().chain(&b).map(|(f, _)| *f).collect();
    let mut out = Vec::new();
    for f in names {
        if out.iter().any(|c: &FieldChange| c.field == f) {
            continue;
        }
        let get = |l: &[(&'static str, String)]| {
            l.iter()
                .find(|(n, _)| *n == f)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let (x, y) = (get(&a), get(&b));
        if x != y {
            out.push(FieldChange {
                field: f,
                before: x,
                after: y,
            });
        }
    }
    out
}

const DAYS_TH: [&str; 7] = ["จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส.", "อา."];

/// The week as one line: `จ. 08:30–12:00, 13:00–16:30; …`, then the special days.
pub fn hours_text(h: &WeeklyHours) -> String {
    let mut parts = Vec::new();
    for (day, ranges) in h.by_weekday() {
        let r: Vec<String> = ranges
            .iter()
            .map(|(o, c)| format!("{}–{}", format_minutes(*o), format_minutes(*c)))
            .collect();
        let name = DAYS_TH
            .get(usize::from(day.saturating_sub(1)))
            .unwrap_or(&"");
        if !r.is_empty() {
            parts.push(format!("{name} {}", r.join(", ")));
        }
    }
    let mut s = parts.join("; ");
    if h.open_on_holidays {
        s.push_str(" · เปิดวันหยุดนักขัตฤกษ์");
    }
    for e in &h.exceptions {
        let r: Vec<String> = e
            .periods
            .iter()
            .map(|(o, c)| format!("{}–{}", format_minutes(*o), format_minutes(*c)))
            .collect();
        s.push_str(&format!(
            " · {}: {}",
            e.date,
            if r.is_empty() {
                "ปิด".to_owned()
            } else {
                r.join(", ")
            }
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> PointState {
        PointState {
            name_th: "ที่ว่าการอำเภอบางละมุง".into(),
            name_en: "Bang Lamung District Office".into(),
            description_th: String::new(),
            description_en: String::new(),
            address: Address {
                house_no: Some("1".into()),
                moo: None,
                building: None,
                road: Some("สุขุมวิท".into()),
                subdistrict: "นาเกลือ".into(),
                district: "บางละมุง".into(),
                province: "ชลบุรี".into(),
                postcode: "20150".into(),
            },
            location: LatLon::new(12.97, 100.91).unwrap(),
            phones: vec![Phone {
                number: "038221300".into(),
                ext: Some("12".into()),
                label_th: None,
                label_en: None,
            }],
            email: None,
            website: Some("https://banglamung.go.th".into()),
            hours: WeeklyHours::government_office(),
            hours_note_th: None,
            hours_note_en: None,
            gecc_level: GeccLevel::None,
            is_public: true,
        }
    }

    fn fields(s: &PointState) -> Vec<String> {
        check(s).into_iter().map(|p| p.field).collect()
    }

    #[test]
    fn a_good_point_passes() {
        assert!(check(&sample()).is_empty(), "{:?}", check(&sample()));
    }

    #[test]
    fn thai_numbers_are_landlines_mobiles_or_hotlines() {
        for ok in ["038221300", "021234567", "0812345678", "0612345678", "1111"] {
            assert!(thai_phone(ok), "{ok}");
        }
        for bad in ["12345", "0123456789", "081234567", "5111", "038-22", ""] {
            assert!(!thai_phone(bad), "{bad}");
        }
        assert_eq!(phone_digits("+66 38 221 300"), "038221300");
        assert_eq!(phone_digits("๐๓๘-๒๒๑๓๐๐"), "038221300");
    }

    #[test]
    fn each_problem_names_its_field() {
        let mut s = sample();
        s.name_th = " ".into();
        s.address.postcode = "2015".into();
        s.phones[0].number = "12345".into();
        s.phones[0].ext = Some("x1".into());
        s.email = Some("not-mail".into());
        s.website = Some("banglamung.go.th".into());
        s.location = LatLon::new(13.0, 99.0).unwrap();
        let f = fields(&s);
        for want in [
            "name",
            "address.postcode",
            "phones[0].number",
            "phones[0].ext",
            "email",
            "website",
        ] {
            assert!(f.contains(&want.to_owned()), "{want} in {f:?}");
        }
        // In the sea off Pattaya is still roughly Thailand; far out is not.
        s.location = LatLon::new(2.0, 110.0).unwrap();
        assert!(fields(&s).contains(&"location".to_owned()));
        s.name_th = "x".repeat(201);
        assert!(fields(&s).contains(&"name".to_owned()));
        s.name_th = "a\u{0}b".into();
        assert!(fields(&s).contains(&"name".to_owned()));
    }

    #[test]
    fn hour_ranges_must_not_overlap() {
        let mut s = sample();
        // Monday's 08:30–16:30 against a lunch break written as overlapping ranges.
        s.hours.periods = vec![
            Period {
                weekday: 1,
                opens: 510,
                closes: 720,
            },
            Period {
                weekday: 1,
                opens: 700,
                closes: 990,
            },
        ];
        assert_eq!(fields(&s), vec!["hours.weekly[1]".to_owned()]);
        // A lunch break is fine.
        s.hours.periods[1].opens = 780;
        assert!(fields(&s).is_empty());
        // Sunday night into Monday morning overlaps Monday's early hours.
        s.hours.periods.push(Period {
            weekday: 7,
            opens: 1320,
            closes: 540,
        });
        assert_eq!(fields(&s), vec!["hours.weekly[2]".to_owned()]);
        s.hours.periods[2].closes = 480;
        assert!(fields(&s).is_empty(), "{:?}", check(&s));
        // Equal times, a day outside the week.
        s.hours.periods.push(Period {
            weekday: 3,
            opens: 600,
            closes: 600,
        });
        s.hours.periods.push(Period {
            weekday: 8,
            opens: 600,
            closes: 700,
        });
        assert_eq!(
            fields(&s),
            vec!["hours.weekly[3]".to_owned(), "hours.weekly[4]".to_owned()]
        );
    }

    #[test]
    fn special_days_are_checked_too() {
        let mut s = sample();
        let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 9).unwrap();
        s.hours.exceptions = vec![
            HoursException {
                date: day,
                periods: vec![(540, 720), (700, 900)],
                note: None,
            },
            HoursException {
                date: day,
                periods: vec![],
                note: None,
            },
        ];
        assert_eq!(
            fields(&s),
            vec![
                "hours.exceptions[0]".to_owned(),
                "hours.exceptions[1]".to_owned()
            ]
        );
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_tidies() {
        let s = sample();
        let p = PointPatch {
            name_en: Some("  Bang Lamung  ".into()),
            email: Some(Some(" ".into())),
            phones: Some(vec![Phone {
                number: "081-234-5678".into(),
                ext: Some("".into()),
                label_th: None,
                label_en: None,
            }]),
            ..Default::default()
        };
        let t = p.apply(&s);
        assert_eq!(t.name_en, "Bang Lamung");
        assert_eq!(t.name_th, s.name_th);
        assert_eq!(t.email, None);
        assert_eq!(t.phones[0].number, "0812345678");
        assert_eq!(t.phones[0].ext, None);
        let d = diff(Some(&s), Some(&t));
        let names: Vec<_> = d.iter().map(|c| c.field).collect();
        assert_eq!(names, vec!["name_en", "phones"]);
        assert_eq!(d[1].before, "0 3822 1300 ต่อ 12");
    }

    #[test]
    fn new_codes_sit_beside_the_office() {
        let office = UnitCode::parse("0112140410104").unwrap();
        let first = next_point_code(&office, |_| false).unwrap();
        assert_eq!(first.as_str(), "0112140413001");
        let taken = first;
        let second = next_point_code(&office, |c| *c == taken).unwrap();
        assert_eq!(second.as_str(), "0112140413002");
        assert_eq!(next_point_code(&office, |_| true), None);
    }
}
