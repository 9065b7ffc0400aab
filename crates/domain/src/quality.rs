//! Data-quality findings for the back office: what is wrong or missing in the service
//! points of a staff member's scope, computed from the data alone.
//!
//! A scope may be the whole country (about 80,000 points), so every check is linear or
//! nearly so: per-point checks are one pass, duplicate phones a hash map, and nearby
//! names a hash grid whose cells are as wide as the duplicate radius, where at most a
//! fixed number of neighbours is compared per point (`near_similar_pairs` states the
//! bound).

use crate::UnitCode;
use crate::geo::{LatLon, chord_for_km, distance_km};
use crate::hours::bangkok;
use crate::org::Phone;
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// Two pins this close may be the same office entered twice: editors pin the same
/// building a few tens of metres apart (gate, car park, main hall), while offices in one
/// compound (a district hall hosts several) are told apart by their names.
pub const DUPLICATE_RADIUS_KM: f64 = 0.05;

/// The bigram Dice coefficient from which two normalised names count as the same.
/// Real duplicates in the tests score 0.88 and up (one wrong letter, a tone mark, the
/// province appended), different offices in one compound at most 0.78 (a district
/// office against the provincial one); 0.85 sits between them.
pub const NAME_SIMILARITY_MIN: f64 = 0.85;

/// Numbers this short are national hotlines and short codes (1111, 1548, 1669), which
/// many offices list without being the same office.
pub const HOTLINE_MAX_DIGITS: usize = 5;

/// A number (with its extension) on more points than this is a shared switchboard or a
/// department's call centre, not a sign that the points are one office; reporting all
/// its pairs would also grow with the square of its points.
pub const SHARED_LINE_MAX_POINTS: usize = 4;

/// Staff confirm a point's data at least this often.
pub const VERIFY_EVERY_MONTHS: u32 = 12;

/// A district and its province, as Thai names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DistrictName {
    pub district: String,
    pub province: String,
}

/// The district a pin falls in, by the boundaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinDistrict {
    /// TIS-1099 code (`2004`), which an editor's confirmation of a border office names.
    pub code: String,
    pub name: DistrictName,
}

/// What the checks need to know of one service point; the caller gathers it (the pin's
/// district from the boundaries, the expected manuals from the department).
#[derive(Debug, Clone)]
pub struct PointFacts {
    pub code: UnitCode,
    pub name_th: String,
    pub location: LatLon,
    /// The district and province the address names.
    pub address: DistrictName,
    /// `None`: the pin is outside Thailand (or at sea, by the simplified boundaries).
    pub pin_district: Option<PinDistrict>,
    /// The district code an editor confirmed the pin in, for an office that really sits
    /// across a border. A confirmation holds for that district only: a pin moved again
    /// is checked again.
    pub pin_confirmed_district: Option<String>,
    pub phones: Vec<Phone>,
    pub has_hours: bool,
    pub photos: usize,
    pub pinned_manual_keys: Vec<String>,
    /// The manuals the point's department expects every point to carry.
    pub expected_manual_keys: Vec<String>,
    pub verified_at: Option<DateTime<Utc>>,
}

/// Why two points look like one office entered twice.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DuplicateReason {
    NearSimilarName {
        metres: f64,
        similarity: f64,
    },
    /// The number in national format, with `,ext` when it has one.
    SharedPhone {
        number: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindingKind {
    PinOutsideDistrict {
        pin: DistrictName,
        address: DistrictName,
    },
    PinOutsideThailand,
    /// Reported once per pair, on the lower code; `other` is the higher.
    LikelyDuplicate {
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        other: UnitCode,
        reasons: Vec<DuplicateReason>,
    },
    MissingHours,
    MissingPhone,
    MissingPhoto,
    ExpectedManualsMissing {
        missing: Vec<String>,
        expected: usize,
        pinned: usize,
    },
    /// `since`: the Bangkok date of the last confirmation; `None` = never confirmed.
    NotVerified {
        since: Option<NaiveDate>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub code: UnitCode,
    #[serde(flatten)]
    pub kind: FindingKind,
}

/// The kinds of finding without their details: for filters, counts and URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Check {
    PinOutsideDistrict,
    PinOutsideThailand,
    LikelyDuplicate,
    MissingHours,
    MissingPhone,
    MissingPhoto,
    ExpectedManualsMissing,
    NotVerified,
}

impl Check {
    /// In the order the back office lists them: the map first, then the contact data,
    /// then the manuals and the confirmation.
    pub const ALL: [Check; 8] = [
        Check::PinOutsideDistrict,
        Check::PinOutsideThailand,
        Check::LikelyDuplicate,
        Check::MissingHours,
        Check::MissingPhone,
        Check::MissingPhoto,
        Check::ExpectedManualsMissing,
        Check::NotVerified,
    ];

    /// Stable: used in URLs (`?check=missing_photo`) and the API.
    pub fn slug(self) -> &'static str {
        match self {
            Check::PinOutsideDistrict => "pin_outside_district",
            Check::PinOutsideThailand => "pin_outside_thailand",
            Check::LikelyDuplicate => "likely_duplicate",
            Check::MissingHours => "missing_hours",
            Check::MissingPhone => "missing_phone",
            Check::MissingPhoto => "missing_photo",
            Check::ExpectedManualsMissing => "expected_manuals_missing",
            Check::NotVerified => "not_verified",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Check::ALL.into_iter().find(|c| c.slug() == slug)
    }

    pub fn th(self) -> &'static str {
        match self {
            Check::PinOutsideDistrict => "หมุดแผนที่อยู่นอกอำเภอตามที่อยู่",
            Check::PinOutsideThailand => "หมุดแผนที่อยู่นอกประเทศไทย",
            Check::LikelyDuplicate => "อาจเป็นจุดบริการซ้ำ",
            Check::MissingHours => "ไม่มีวันและเวลาทำการ",
            Check::MissingPhone => "ไม่มีหมายเลขโทรศัพท์",
            Check::MissingPhoto => "ไม่มีรูปภาพหน่วยงาน",
            Check::ExpectedManualsMissing => "ปักหมุดคู่มือไม่ครบ",
            Check::NotVerified => "ไม่ได้ยืนยันข้อมูลภายใน 12 เดือน",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Check::PinOutsideDistrict => "Map pin outside the address's district",
            Check::PinOutsideThailand => "Map pin outside Thailand",
            Check::LikelyDuplicate => "Possibly a duplicate service point",
            Check::MissingHours => "No opening days and hours",
            Check::MissingPhone => "No phone number",
            Check::MissingPhoto => "No photo of the office",
            Check::ExpectedManualsMissing => "Expected manuals not all pinned",
            Check::NotVerified => "Data not confirmed within 12 months",
        }
    }
}

impl FindingKind {
    pub fn check(&self) -> Check {
        match self {
            FindingKind::PinOutsideDistrict { .. } => Check::PinOutsideDistrict,
            FindingKind::PinOutsideThailand => Check::PinOutsideThailand,
            FindingKind::LikelyDuplicate { .. } => Check::LikelyDuplicate,
            FindingKind::MissingHours => Check::MissingHours,
            FindingKind::MissingPhone => Check::MissingPhone,
            FindingKind::MissingPhoto => Check::MissingPhoto,
            FindingKind::ExpectedManualsMissing { .. } => Check::ExpectedManualsMissing,
            FindingKind::NotVerified { .. } => Check::NotVerified,
        }
    }

    pub fn slug(&self) -> &'static str {
        self.check().slug()
    }

    pub fn th(&self) -> &'static str {
        self.check().th()
    }

    pub fn en(&self) -> &'static str {
        self.check().en()
    }

    /// The particulars, in Thai, for the line under the short description.
    pub fn detail_th(&self) -> String {
        match self {
            FindingKind::PinOutsideDistrict { pin, address } => format!(
                "หมุดอยู่ใน อ.{} จ.{} แต่ที่อยู่ระบุ อ.{} จ.{}",
                pin.district, pin.province, address.district, address.province
            ),
            FindingKind::LikelyDuplicate { other, .. } => {
                format!("คล้ายกับจุดบริการรหัส {other}")
            }
            FindingKind::ExpectedManualsMissing {
                expected, pinned, ..
            } => {
                format!("ปักหมุดคู่มือแล้ว {pinned} จาก {expected} ฉบับที่กำหนด")
            }
            FindingKind::NotVerified { since: Some(d) } => {
                format!("ยืนยันข้อมูลล่าสุดเมื่อ {}", crate::thai_date::short_th(*d))
            }
            FindingKind::NotVerified { since: None } => "ยังไม่เคยยืนยันข้อมูล".to_owned(),
            _ => self.th().to_owned(),
        }
    }

    pub fn detail_en(&self) -> String {
        match self {
            FindingKind::PinOutsideDistrict { pin, address } => format!(
                "The pin is in {}, {} but the address says {}, {}",
                pin.district, pin.province, address.district, address.province
            ),
            FindingKind::LikelyDuplicate { other, .. } => {
                format!("Resembles service point {other}")
            }
            FindingKind::ExpectedManualsMissing {
                expected, pinned, ..
            } => format!("{pinned} of {expected} expected manuals pinned"),
            FindingKind::NotVerified { since: Some(d) } => {
                format!("Last confirmed on {}", crate::thai_date::long_en(*d))
            }
            FindingKind::NotVerified { since: None } => "Never confirmed".to_owned(),
            _ => self.en().to_owned(),
        }
    }
}

impl Finding {
    /// Whether a point's page should show this finding: a duplicate concerns both.
    pub fn concerns(&self, code: &UnitCode) -> bool {
        self.code == *code
            || matches!(&self.kind, FindingKind::LikelyDuplicate { other, .. } if other == code)
    }
}

/// How many findings of each kind, every kind listed (zeros too) in [`Check::ALL`]
/// order, so that a dashboard shows what is clean as well.
pub fn count_by_check(findings: &[Finding]) -> Vec<(Check, usize)> {
    let mut counts: HashMap<Check, usize> = HashMap::new();
    for f in findings {
        *counts.entry(f.kind.check()).or_default() += 1;
    }
    Check::ALL
        .into_iter()
        .map(|c| (c, counts.get(&c).copied().unwrap_or(0)))
        .collect()
}

/// Every finding in the scope, sorted by point code and then in [`Check::ALL`] order.
pub fn findings(points: &[PointFacts], now: DateTime<Utc>) -> Vec<Finding> {
    let cutoff = verification_cutoff(now);
    let mut out = Vec::new();
    for p in points {
        out.extend(
            point_findings(p, cutoff)
                .into_iter()
                .flatten()
                .map(|kind| Finding { code: p.code, kind }),
        );
    }
    out.extend(duplicate_findings(points));
    out.sort_by(|a, b| {
        (a.code, a.kind.check(), duplicate_other(a)).cmp(&(
            b.code,
            b.kind.check(),
            duplicate_other(b),
        ))
    });
    out
}

fn duplicate_other(f: &Finding) -> Option<UnitCode> {
    match &f.kind {
        FindingKind::LikelyDuplicate { other, .. } => Some(*other),
        _ => None,
    }
}

/// The checks that look at one point alone.
fn point_findings(p: &PointFacts, cutoff: DateTime<Utc>) -> [Option<FindingKind>; 6] {
    [
        pin_finding(p),
        (!p.has_hours).then_some(FindingKind::MissingHours),
        p.phones
            .iter()
            .all(|ph| phone_digits(&ph.number).is_empty())
            .then_some(FindingKind::MissingPhone),
        (p.photos == 0).then_some(FindingKind::MissingPhoto),
        manuals_finding(p),
        verification_finding(p.verified_at, cutoff),
    ]
}

fn pin_finding(p: &PointFacts) -> Option<FindingKind> {
    let Some(pin) = &p.pin_district else {
        return Some(FindingKind::PinOutsideThailand);
    };
    let confirmed = p.pin_confirmed_district.as_deref() == Some(pin.code.as_str());
    (!confirmed && !same_district(&pin.name, &p.address)).then(|| FindingKind::PinOutsideDistrict {
        pin: pin.name.clone(),
        address: p.address.clone(),
    })
}

/// Names compared without the prefixes that addresses write or leave out (อ., อำเภอ,
/// เขต for Bangkok, จ., จังหวัด), and with the province: district names repeat across
/// provinces (เฉลิมพระเกียรติ is in five).
fn same_district(a: &DistrictName, b: &DistrictName) -> bool {
    // Written alike is the common case, and needs no normalising.
    let alike = a.district == b.district && a.province == b.province;
    alike
        || (district_key(&a.district) == district_key(&b.district)
            && province_key(&a.province) == province_key(&b.province))
}

fn district_key(name: &str) -> String {
    let compact = compact(name);
    strip_prefix_any(&compact, &["กิ่งอำเภอ", "อำเภอ", "อ.", "เขต"]).to_owned()
}

fn province_key(name: &str) -> String {
    let compact = compact(name);
    let bare = strip_prefix_any(&compact, &["จังหวัด", "จ."]);
    match bare {
        "กรุงเทพฯ" | "กทม." | "กรุงเทพ" => {
            "กรุงเทพมหานคร".to_owned()
        }
        _ => bare.to_owned(),
    }
}

fn strip_prefix_any<'a>(s: &'a str, prefixes: &[&str]) -> &'a str {
    prefixes
        .iter()
        .find_map(|p| s.strip_prefix(p).filter(|rest| !rest.is_empty()))
        .unwrap_or(s)
}

/// Lists of a few keys each: searched, not hashed.
fn manuals_finding(p: &PointFacts) -> Option<FindingKind> {
    let mut expected: Vec<&String> = Vec::with_capacity(p.expected_manual_keys.len());
    for key in &p.expected_manual_keys {
        if !expected.contains(&key) {
            expected.push(key);
        }
    }
    let missing: Vec<String> = expected
        .iter()
        .filter(|k| !p.pinned_manual_keys.contains(k))
        .map(|k| (*k).clone())
        .collect();
    (!missing.is_empty()).then(|| FindingKind::ExpectedManualsMissing {
        expected: expected.len(),
        pinned: expected.len() - missing.len(),
        missing,
    })
}

/// Calendar months, not 365 days, so that "confirmed on 15 March" lasts until the next
/// 15 March whatever the leap years.
fn verification_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    now.checked_sub_months(Months::new(VERIFY_EVERY_MONTHS))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn verification_finding(
    verified_at: Option<DateTime<Utc>>,
    cutoff: DateTime<Utc>,
) -> Option<FindingKind> {
    match verified_at {
        Some(at) if at >= cutoff => None,
        _ => Some(FindingKind::NotVerified {
            since: verified_at.map(|at| at.with_timezone(&bangkok()).date_naive()),
        }),
    }
}

/// Duplicates from both signals, one finding per pair with every reason found.
fn duplicate_findings(points: &[PointFacts]) -> Vec<Finding> {
    let mut reasons: HashMap<(usize, usize), Vec<DuplicateReason>> = HashMap::new();
    let names = name_keys(points);
    let (near, _) = near_similar_pairs(points, &names);
    for pair in near {
        reasons
            .entry((pair.a, pair.b))
            .or_default()
            .push(DuplicateReason::NearSimilarName {
                metres: pair.metres,
                similarity: pair.similarity,
            });
    }
    for (a, b, number) in shared_phone_pairs(points) {
        reasons
            .entry((a, b))
            .or_default()
            .push(DuplicateReason::SharedPhone { number });
    }
    reasons
        .into_iter()
        .map(|((a, b), reasons)| {
            let (low, high) = sorted_codes(points[a].code, points[b].code);
            Finding {
                code: low,
                kind: FindingKind::LikelyDuplicate {
                    other: high,
                    reasons,
                },
            }
        })
        .collect()
}

fn sorted_codes(a: UnitCode, b: UnitCode) -> (UnitCode, UnitCode) {
    if a <= b { (a, b) } else { (b, a) }
}

/// Pairs of points (by index, lower first) that list the same number and extension.
fn shared_phone_pairs(points: &[PointFacts]) -> Vec<(usize, usize, String)> {
    let mut by_number: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in points.iter().enumerate() {
        let mut own: Vec<String> = p.phones.iter().filter_map(phone_key).collect();
        own.sort_unstable();
        own.dedup();
        for key in own {
            by_number.entry(key).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    for (number, holders) in by_number {
        if holders.len() > SHARED_LINE_MAX_POINTS {
            continue;
        }
        for (n, &a) in holders.iter().enumerate() {
            for &b in &holders[n + 1..] {
                out.push((a, b, number.clone()));
            }
        }
    }
    out
}

/// The national number with its extension: two offices behind one switchboard differ by
/// extension, and are not the same office. Hotlines and short codes give no key.
fn phone_key(phone: &Phone) -> Option<String> {
    let mut number = phone_digits(&phone.number);
    // National numbers start with 0, so a leading 66 is the country code (+66).
    if (10..=11).contains(&number.len()) && number.starts_with("66") {
        number = format!("0{}", &number[2..]);
    }
    if number.len() <= HOTLINE_MAX_DIGITS {
        return None;
    }
    let ext = phone.ext.as_deref().map(phone_digits).unwrap_or_default();
    if !ext.is_empty() {
        number.push(',');
        number.push_str(&ext);
    }
    Some(number)
}

/// ASCII digits of a number typed with Thai digits, spaces, dashes or a `+`.
fn phone_digits(s: &str) -> String {
    s.chars().filter_map(ascii_digit).collect()
}

fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '๐'..='๙' => char::from_u32(c as u32 - '๐' as u32 + '0' as u32),
        _ => None,
    }
}

/// The names prepared for comparison, each province's key made once.
fn name_keys(points: &[PointFacts]) -> Vec<NameKey> {
    let mut provinces: HashMap<&str, String> = HashMap::new();
    points
        .iter()
        .map(|p| {
            let province = provinces
                .entry(p.address.province.as_str())
                .or_insert_with(|| province_key(&p.address.province));
            NameKey::new(&p.name_th, province)
        })
        .collect()
}

/// A name prepared once for many comparisons.
#[derive(Debug, Clone, PartialEq)]
struct NameKey {
    text: String,
    /// Sorted, with repeats, for a multiset Dice by merging.
    bigrams: Vec<u64>,
    /// The digit runs: "สาขา 1" and "สาขา 2" are two offices however alike the rest.
    numbers: Vec<String>,
    level: Level,
}

/// Whether a name says it is a district's or a province's office: the district and the
/// provincial office of one department often share a compound and a name but for this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    District,
    Province,
    Unknown,
}

/// Generic words that tell nothing about which office it is, with the level they say.
/// Longer first, so that "กิ่งอำเภอ" goes whole; abbreviations with their dot.
const GENERIC_WORDS: [(&str, Level); 8] = [
    ("ที่ว่าการ", Level::Unknown),
    ("สำนักงาน", Level::Unknown),
    ("สนง.", Level::Unknown),
    ("กิ่งอำเภอ", Level::District),
    ("อำเภอ", Level::District),
    ("อ.", Level::District),
    ("จังหวัด", Level::Province),
    ("จ.", Level::Province),
];

/// The first letters of [`GENERIC_WORDS`]: most positions of a name start none of them,
/// and are passed without trying each word.
fn may_start_generic(c: char) -> bool {
    matches!(c, 'ท' | 'ส' | 'ก' | 'อ' | 'จ')
}

/// One pass that drops the generic words and the punctuation and notes the level: a
/// name is normalised for every point of a national scope.
fn strip_generic(compact: &str) -> (String, Level) {
    let mut out = String::with_capacity(compact.len());
    let (mut district, mut province) = (false, false);
    let mut rest = compact;
    'scan: while let Some(c) = rest.chars().next() {
        if may_start_generic(c) {
            for (word, level) in GENERIC_WORDS {
                if let Some(after) = rest.strip_prefix(word) {
                    district |= level == Level::District;
                    province |= level == Level::Province;
                    rest = after;
                    continue 'scan;
                }
            }
        }
        if is_name_char(c) {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    let level = match (district, province) {
        (true, _) => Level::District,
        (false, true) => Level::Province,
        _ => Level::Unknown,
    };
    (out, level)
}

impl NameKey {
    /// `province`: the point's province as [`province_key`] gives it.
    fn new(name: &str, province: &str) -> Self {
        let compact = compact(name);
        let (stripped, level) = strip_generic(&compact);
        let mut text = without_province(stripped, province);
        // A name made only of generic words ("ที่ว่าการอำเภอ") is compared as written.
        if text.chars().count() < 2 {
            text = compact.chars().filter(|c| is_name_char(*c)).collect();
        }
        NameKey {
            bigrams: bigrams(&text),
            numbers: digit_runs(&text),
            text,
            level,
        }
    }

    /// Dice on character bigrams: robust to a wrong letter or tone mark, and needs no
    /// Thai word breaking. `None` when the names cannot be the same office at all.
    fn similarity(&self, other: &NameKey) -> Option<f64> {
        let levels = [self.level, other.level];
        if levels.contains(&Level::District) && levels.contains(&Level::Province) {
            return None;
        }
        if !self.numbers.is_empty() && !other.numbers.is_empty() && self.numbers != other.numbers {
            return None;
        }
        if self.bigrams.is_empty() || other.bigrams.is_empty() {
            return (self.text == other.text).then_some(1.0);
        }
        let shared = shared_count(&self.bigrams, &other.bigrams);
        Some(2.0 * shared as f64 / (self.bigrams.len() + other.bigrams.len()) as f64)
    }
}

/// Spaces (and the zero-width ones Thai text hides between words) dropped, Thai digits
/// as ASCII, ASCII letters lowercased (Unicode case tables are slow, and the
/// names are Thai), and SARA AM typed as NIKHAHIT + SARA AA made one letter.
fn compact(s: &str) -> String {
    let s = if s.contains('\u{0E4D}') {
        std::borrow::Cow::Owned(s.replace("\u{0E4D}\u{0E32}", "\u{0E33}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    };
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        // Thai letters first: they are most of every name, and no Thai letter is a space.
        let thai = ('\u{0E00}'..='\u{0E7F}').contains(&c);
        if thai || !(c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{FEFF}')) {
            out.push(ascii_digit(c).unwrap_or(c).to_ascii_lowercase());
        }
    }
    out
}

/// The point's own province said or not ("ที่ดินชลบุรี" and "ที่ดินจังหวัดชลบุรี") is the
/// same office; kept when nothing else is left of the name.
fn without_province(text: String, province: &str) -> String {
    if province.chars().count() < 2 || !text.contains(province) {
        return text;
    }
    let rest = text.replace(province, "");
    if rest.chars().count() >= 2 {
        rest
    } else {
        text
    }
}

/// Letters, digits and Thai vowels and tone marks; punctuation (and ฯ, the Thai
/// abbreviation mark) is noise.
fn is_name_char(c: char) -> bool {
    let thai = ('\u{0E01}'..='\u{0E5B}').contains(&c) && !matches!(c, 'ฯ' | '๏' | '๚' | '๛');
    thai || c.is_alphanumeric()
}

/// Each bigram as one integer (the two code points side by side), which sorts and
/// compares faster than a pair.
fn bigrams(text: &str) -> Vec<u64> {
    let mut out: Vec<u64> = text
        .chars()
        .zip(text.chars().skip(1))
        .map(|(a, b)| (u64::from(a) << 32) | u64::from(b))
        .collect();
    out.sort_unstable();
    out
}

fn digit_runs(text: &str) -> Vec<String> {
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return Vec::new();
    }
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Size of the multiset intersection of two sorted lists.
fn shared_count(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared
}

/// Two points close by with similar names; `a < b` are indexes into the input.
#[derive(Debug, Clone, PartialEq)]
struct NearPair {
    a: usize,
    b: usize,
    metres: f64,
    similarity: f64,
}

/// A neighbourhood (27 grid cells) holding more points than this is not a compound of
/// offices but pins dropped on one default spot (a province's centre, an import without
/// coordinates); there only identical names are looked up, by hash, so that the work
/// stays linear however many points pile up.
const CROWD_LIMIT: usize = 64;

type Cell = [i64; 3];

/// Cells of a grid over the points' unit vectors, one duplicate radius (as a chord)
/// wide: two points within the radius are in the same or adjacent cells, anywhere on the
/// earth, with no special case for longitudes or the poles.
fn cell_of(p: LatLon, width: f64) -> Cell {
    p.unit_vector().map(|x| (x / width).floor() as i64)
}

fn neighbours(c: Cell) -> impl Iterator<Item = Cell> {
    (-1..=1).flat_map(move |dx| {
        (-1..=1).flat_map(move |dy| (-1..=1).map(move |dz| [c[0] + dx, c[1] + dy, c[2] + dz]))
    })
}

/// Near pairs with similar names, and how many candidate pairs were examined.
///
/// Each pair is examined once, from its lower index. A point in an uncrowded
/// neighbourhood examines at most [`CROWD_LIMIT`] candidates; one in a crowded
/// neighbourhood only the candidates of identical name. So the work is
/// O(n · CROWD_LIMIT + pairs of identical name in crowded places), against the n²/2
/// of comparing every pair.
fn near_similar_pairs(points: &[PointFacts], names: &[NameKey]) -> (Vec<NearPair>, usize) {
    let grid = Grid::new(points, names);
    let (mut out, mut examined) = (Vec::new(), 0);
    for i in 0..points.len() {
        let crowded_i = grid.crowded(i);
        let candidates = grid
            .neighbourhood(i)
            .flat_map(|c| grid.candidates(c, i, crowded_i))
            .filter(|&j| j > i);
        for j in candidates {
            examined += 1;
            let exact_only = crowded_i || grid.crowded(j);
            if let Some(pair) = near_pair(points, names, i, j, exact_only) {
                out.push(pair);
            }
        }
    }
    (out, examined)
}

/// The points by grid cell, with each cell's neighbours found once: a cell is looked up
/// 27 times in all, not 27 times per candidate.
struct Grid<'a> {
    cell_of_point: Vec<u32>,
    members: Vec<Vec<usize>>,
    /// `neighbours[c]`: the occupied cells around cell `c`, itself included.
    neighbours: Vec<Vec<u32>>,
    crowd: Vec<usize>,
    /// Only the cells around a crowd: elsewhere names are compared, not looked up.
    by_name: HashMap<(u32, &'a str), Vec<usize>>,
    names: &'a [NameKey],
}

impl<'a> Grid<'a> {
    fn new(points: &[PointFacts], names: &'a [NameKey]) -> Self {
        let width = chord_for_km(DUPLICATE_RADIUS_KM);
        let mut ids: FastMap<Cell, u32> = FastMap::default();
        let mut keys: Vec<Cell> = Vec::new();
        let mut members: Vec<Vec<usize>> = Vec::new();
        let mut cell_of_point = Vec::with_capacity(points.len());
        for (i, p) in points.iter().enumerate() {
            let key = cell_of(p.location, width);
            let id = *ids.entry(key).or_insert_with(|| {
                keys.push(key);
                members.push(Vec::new());
                (keys.len() - 1) as u32
            });
            members[id as usize].push(i);
            cell_of_point.push(id);
        }
        let neighbours: Vec<Vec<u32>> = keys
            .iter()
            .map(|&k| neighbours(k).filter_map(|n| ids.get(&n).copied()).collect())
            .collect();
        let crowd: Vec<usize> = neighbours
            .iter()
            .map(|ns| ns.iter().map(|&n| members[n as usize].len()).sum())
            .collect();
        let by_name = name_index(&cell_of_point, &members, &neighbours, &crowd, names);
        Grid {
            cell_of_point,
            members,
            neighbours,
            crowd,
            by_name,
            names,
        }
    }

    fn crowded(&self, i: usize) -> bool {
        self.crowd[self.cell_of_point[i] as usize] > CROWD_LIMIT
    }

    fn neighbourhood(&self, i: usize) -> impl Iterator<Item = u32> + '_ {
        self.neighbours[self.cell_of_point[i] as usize]
            .iter()
            .copied()
    }

    /// The points of cell `c` that `i` must be compared with: all of them, or in a
    /// crowd only those of the same name.
    fn candidates(&self, c: u32, i: usize, crowded: bool) -> impl Iterator<Item = usize> + '_ {
        let list: &[usize] = if crowded {
            self.by_name
                .get(&(c, self.names[i].text.as_str()))
                .map_or(&[], Vec::as_slice)
        } else {
            &self.members[c as usize]
        };
        list.iter().copied()
    }
}

/// Hashing the cells is most of the grid's cost, and SipHash's defence against crafted
/// keys buys little here: a cell is three integers derived from coordinates, and a
/// pile of pins on one spot is already handled as a crowd. A multiply-rotate hash (as
/// rustc's FxHash) does. Names, typed by people, keep the standard hasher.
#[derive(Default, Clone, Copy)]
struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

/// Points by cell and name, for the cells that a crowded cell looks into.
fn name_index<'a>(
    cell_of_point: &[u32],
    members: &[Vec<usize>],
    neighbours: &[Vec<u32>],
    crowd: &[usize],
    names: &'a [NameKey],
) -> HashMap<(u32, &'a str), Vec<usize>> {
    let mut wanted = vec![false; members.len()];
    for (c, ns) in neighbours.iter().enumerate() {
        if crowd[c] > CROWD_LIMIT {
            ns.iter().for_each(|&n| wanted[n as usize] = true);
        }
    }
    let mut index: HashMap<(u32, &str), Vec<usize>> = HashMap::new();
    for (i, &c) in cell_of_point.iter().enumerate() {
        if wanted[c as usize] {
            index
                .entry((c, names[i].text.as_str()))
                .or_default()
                .push(i);
        }
    }
    index
}

fn near_pair(
    points: &[PointFacts],
    names: &[NameKey],
    a: usize,
    b: usize,
    exact_only: bool,
) -> Option<NearPair> {
    let km = distance_km(points[a].location, points[b].location);
    if km > DUPLICATE_RADIUS_KM {
        return None;
    }
    let similarity = if exact_only {
        (names[a].text == names[b].text).then_some(1.0)?
    } else {
        names[a].similarity(&names[b])?
    };
    (similarity >= NAME_SIMILARITY_MIN).then_some(NearPair {
        a,
        b,
        metres: km * 1000.0,
        similarity,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn code(n: u64) -> UnitCode {
        UnitCode::parse(&format!("{n:013}")).unwrap()
    }

    fn chonburi(district: &str) -> DistrictName {
        DistrictName {
            district: district.into(),
            province: "ชลบุรี".into(),
        }
    }

    fn phone(number: &str, ext: Option<&str>) -> Phone {
        Phone {
            number: number.into(),
            ext: ext.map(Into::into),
            label_th: None,
            label_en: None,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()
    }

    /// A point with nothing to report, in Bang Lamung.
    fn good(n: u64, name: &str, lat: f64, lon: f64) -> PointFacts {
        PointFacts {
            code: code(n),
            name_th: name.into(),
            location: LatLon::new(lat, lon).unwrap(),
            address: chonburi("บางละมุง"),
            pin_district: Some(PinDistrict {
                code: "2004".into(),
                name: chonburi("บางละมุง"),
            }),
            pin_confirmed_district: None,
            phones: vec![phone(&format!("038{:06}", n % 1_000_000), None)],
            has_hours: true,
            photos: 1,
            pinned_manual_keys: vec!["a".into(), "b".into()],
            expected_manual_keys: vec!["a".into(), "b".into()],
            verified_at: Some(now() - chrono::Duration::days(30)),
        }
    }

    fn checks(points: &[PointFacts]) -> Vec<(UnitCode, Check)> {
        findings(points, now())
            .iter()
            .map(|f| (f.code, f.kind.check()))
            .collect()
    }

    fn similarity(a: &str, b: &str) -> Option<f64> {
        NameKey::new(a, "ชลบุรี").similarity(&NameKey::new(b, "ชลบุรี"))
    }

    fn similar(a: &str, b: &str) -> bool {
        similarity(a, b).is_some_and(|s| s >= NAME_SIMILARITY_MIN)
    }

    #[test]
    fn a_complete_point_has_no_findings() {
        assert_eq!(checks(&[good(1, "ที่ว่าการอำเภอบางละมุง", 12.97, 100.9)]), []);
    }

    #[test]
    fn each_missing_item_is_reported() {
        let mut p = good(1, "ที่ว่าการอำเภอบางละมุง", 12.97, 100.9);
        p.has_hours = false;
        p.phones = vec![phone(" - ", None)];
        p.photos = 0;
        let c = p.code;
        assert_eq!(
            checks(&[p]),
            [
                (c, Check::MissingHours),
                (c, Check::MissingPhone),
                (c, Check::MissingPhoto)
            ]
        );
    }

    #[test]
    fn a_pin_in_another_district_is_reported_unless_confirmed_there() {
        let mut p = good(1, "ที่ว่าการอำเภอบางละมุง", 12.97, 100.9);
        p.pin_district = Some(PinDistrict {
            code: "2007".into(),
            name: chonburi("ศรีราชา"),
        });
        let f = findings(std::slice::from_ref(&p), now());
        assert_eq!(
            f[0].kind,
            FindingKind::PinOutsideDistrict {
                pin: chonburi("ศรีราชา"),
                address: chonburi("บางละมุง")
            }
        );
        p.pin_confirmed_district = Some("2007".into());
        assert_eq!(checks(std::slice::from_ref(&p)), []);
        // Confirmed for Si Racha, then moved to Sattahip: checked again.
        p.pin_district = Some(PinDistrict {
            code: "2009".into(),
            name: chonburi("สัตหีบ"),
        });
        assert_eq!(
            checks(std::slice::from_ref(&p)),
            [(p.code, Check::PinOutsideDistrict)]
        );
    }

    #[test]
    fn district_names_match_with_or_without_their_prefixes() {
        let mut p = good(1, "สำนักงานเขตบางรัก", 13.73, 100.52);
        p.address = DistrictName {
            district: "บางรัก".into(),
            province: "กรุงเทพฯ".into(),
        };
        p.pin_district = Some(PinDistrict {
            code: "1004".into(),
            name: DistrictName {
                district: "เขตบางรัก".into(),
                province: "กรุงเทพมหานคร".into(),
            },
        });
        assert_eq!(checks(std::slice::from_ref(&p)), []);
        p.address = DistrictName {
            district: "อ. บางละมุง".into(),
            province: "จ.ชลบุรี".into(),
        };
        p.pin_district = Some(PinDistrict {
            code: "2004".into(),
            name: chonburi("บางละมุง"),
        });
        assert_eq!(checks(std::slice::from_ref(&p)), []);
        // The same district name in another province is another district.
        p.pin_district = Some(PinDistrict {
            code: "9999".into(),
            name: DistrictName {
                district: "บางละมุง".into(),
                province: "ระยอง".into(),
            },
        });
        assert_eq!(
            checks(std::slice::from_ref(&p)),
            [(p.code, Check::PinOutsideDistrict)]
        );
    }

    #[test]
    fn a_pin_outside_every_district_is_outside_thailand() {
        let mut p = good(1, "ที่ว่าการอำเภอบางละมุง", 0.0, 0.0);
        p.pin_district = None;
        p.pin_confirmed_district = Some("2004".into());
        assert_eq!(
            checks(std::slice::from_ref(&p)),
            [(p.code, Check::PinOutsideThailand)]
        );
    }

    #[test]
    fn expected_manuals_count_what_is_pinned_of_them() {
        let mut p = good(1, "ที่ว่าการอำเภอบางละมุง", 12.97, 100.9);
        p.expected_manual_keys = vec!["a".into(), "b".into(), "c".into(), "a".into()];
        p.pinned_manual_keys = vec!["a".into(), "x".into(), "c".into()];
        let f = findings(&[p], now());
        let kind = &f[0].kind;
        assert_eq!(
            *kind,
            FindingKind::ExpectedManualsMissing {
                missing: vec!["b".into()],
                expected: 3,
                pinned: 2
            }
        );
        assert_eq!(kind.detail_en(), "2 of 3 expected manuals pinned");
        assert_eq!(kind.detail_th(), "ปักหมุดคู่มือแล้ว 2 จาก 3 ฉบับที่กำหนด");
    }

    #[test]
    fn a_confirmation_lasts_twelve_calendar_months() {
        let year_ago = Utc.with_ymd_and_hms(2025, 12, 1, 3, 0, 0).unwrap();
        assert_eq!(
            verification_finding(Some(year_ago), verification_cutoff(now())),
            None
        );
        let older = year_ago - chrono::Duration::seconds(1);
        assert_eq!(
            verification_finding(Some(older), verification_cutoff(now())),
            Some(FindingKind::NotVerified {
                // 10:00 on 1 December in Bangkok.
                since: NaiveDate::from_ymd_opt(2025, 12, 1)
            })
        );
        // 23:30 UTC is the next morning in Bangkok.
        let late = Utc.with_ymd_and_hms(2024, 5, 31, 23, 30, 0).unwrap();
        assert_eq!(
            verification_finding(Some(late), verification_cutoff(now())),
            Some(FindingKind::NotVerified {
                since: NaiveDate::from_ymd_opt(2024, 6, 1)
            })
        );
        assert_eq!(
            verification_finding(None, verification_cutoff(now())),
            Some(FindingKind::NotVerified { since: None })
        );
    }

    #[test]
    fn generic_words_do_not_make_names_differ() {
        assert!(similar("ที่ว่าการอำเภอบางละมุง", "อำเภอบางละมุง"));
        assert!(similar(
            "สำนักงานพัฒนาชุมชนอำเภอบางละมุง",
            "สนง.พัฒนาชุมชน อ.บางละมุง"
        ));
        assert!(similar("สำนักงานที่ดินชลบุรี", "สำนักงานที่ดินจังหวัดชลบุรี"));
        assert!(similar(
            "ที่ว่าการอำเภอบางละมุง",
            "ที่ว่าการอำเภอบางละมุง จังหวัดชลบุรี"
        ));
        assert!(similar("ศูนย์ ๑", "ศูนย์ 1"));
        // SARA AM typed as two characters.
        assert!(similar("สำนักงานเกษตร", "ส\u{0E4D}\u{0E32}นักงานเกษตร"));
    }

    #[test]
    fn a_wrong_letter_or_tone_mark_is_still_the_same_name() {
        let typo = similarity("สำนักงานพัฒนาชุมชนอำเภอบางละมุง", "สำนักงานพัฒนาชุมขนอำเภอบางละมุง");
        assert!(typo.unwrap() >= 0.88, "{typo:?}");
        assert!(similar(
            "สำนักงานพัฒนาชุมชนอำเภอบางละมุง",
            "สำนักงานพัฒนาชุมชนอำเภอบางละมุ่ง"
        ));
        assert!(similar(
            "สำนักงานสาธารณสุขอำเภอบางละมุง",
            "สำนักงานสาธารณะสุขอำเภอบางละมุง"
        ));
    }

    #[test]
    fn different_offices_in_one_compound_are_not_similar() {
        let pairs = [
            ("สำนักงานที่ดินจังหวัดชลบุรี", "สำนักงานสรรพากรพื้นที่ชลบุรี"),
            ("ที่ว่าการอำเภอบางละมุง", "สำนักงานพัฒนาชุมชนอำเภอบางละมุง"),
            ("ที่ว่าการอำเภอบางละมุง", "สำนักงานทะเบียนอำเภอบางละมุง"),
            ("สำนักงานพัฒนาชุมชนอำเภอบางละมุง", "สำนักงานพัฒนาสังคมอำเภอบางละมุง"),
            ("สำนักงานที่ดินจังหวัดชลบุรี", "สำนักงานที่ดินจังหวัดชลบุรี สาขาบางละมุง"),
            ("โรงพยาบาลบางละมุง", "โรงพยาบาลส่งเสริมสุขภาพตำบลบางละมุง"),
            ("เทศบาลเมืองหนองปรือ", "เทศบาลตำบลหนองปรือ"),
            // 0.78 by Dice: the closest miss, kept out by the threshold alone.
            ("สำนักงานพัฒนาชุมชนเมืองชลบุรี", "สำนักงานพัฒนาชุมชนชลบุรี"),
        ];
        for (a, b) in pairs {
            assert!(!similar(a, b), "{a} / {b}: {:?}", similarity(a, b));
        }
    }

    #[test]
    fn a_district_office_is_not_its_provincial_office() {
        // 0.91 by Dice, but one says district and the other province.
        let (a, b) = (
            "สำนักงานส่งเสริมการปกครองท้องถิ่นอำเภอเมืองชลบุรี",
            "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดชลบุรี",
        );
        assert_eq!(similarity(a, b), None);
    }

    #[test]
    fn numbered_branches_are_different_offices() {
        assert_eq!(
            similarity("สำนักงานสรรพากรพื้นที่ชลบุรี 1", "สำนักงานสรรพากรพื้นที่ชลบุรี 2"),
            None
        );
        assert!(similar("สำนักงานสรรพากรพื้นที่ชลบุรี ๒", "สรรพากรพื้นที่ชลบุรี 2"));
    }

    #[test]
    fn near_points_with_similar_names_are_one_pair() {
        // About 30 m apart.
        let a = good(7, "ที่ว่าการอำเภอบางละมุง", 12.9700, 100.9000);
        let b = good(3, "อำเภอบางละมุง", 12.9702, 100.9002);
        let c = good(5, "สำนักงานพัฒนาชุมชนอำเภอบางละมุง", 12.9701, 100.9001);
        let f: Vec<Finding> = findings(&[a, b, c], now())
            .into_iter()
            .filter(|f| f.kind.check() == Check::LikelyDuplicate)
            .collect();
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].code, code(3));
        let FindingKind::LikelyDuplicate { other, reasons } = &f[0].kind else {
            panic!("{f:?}");
        };
        assert_eq!(*other, code(7));
        assert!(
            matches!(reasons[..], [DuplicateReason::NearSimilarName { metres, .. }] if (20.0..40.0).contains(&metres))
        );
        assert!(f[0].concerns(&code(7)) && f[0].concerns(&code(3)) && !f[0].concerns(&code(5)));
    }

    #[test]
    fn similar_names_farther_than_the_radius_are_not_duplicates() {
        // About 70 m apart.
        let a = good(1, "ที่ว่าการอำเภอบางละมุง", 12.9700, 100.9000);
        let b = good(2, "อำเภอบางละมุง", 12.9705, 100.9005);
        assert_eq!(checks(&[a, b]), []);
    }

    #[test]
    fn a_shared_number_is_a_duplicate_but_hotlines_and_extensions_are_not() {
        let mut a = good(1, "ก", 12.0, 100.0);
        let mut b = good(2, "ข", 15.0, 101.0);
        a.phones = vec![phone("1111", None), phone("038222016", None)];
        b.phones = vec![phone("1111", None), phone("+66 38 222 016", None)];
        let f = findings(&[a.clone(), b.clone()], now());
        assert_eq!(
            f,
            [Finding {
                code: code(1),
                kind: FindingKind::LikelyDuplicate {
                    other: code(2),
                    reasons: vec![DuplicateReason::SharedPhone {
                        number: "038222016".into()
                    }]
                }
            }]
        );
        a.phones = vec![phone("038222016", Some("101")), phone("1548", None)];
        b.phones = vec![phone("038222016", Some("102")), phone("1548", None)];
        assert_eq!(checks(&[a, b]), []);
    }

    #[test]
    fn a_pair_found_both_ways_is_reported_once_with_both_reasons() {
        let a = good(1, "ที่ว่าการอำเภอบางละมุง", 12.9700, 100.9000);
        let mut b = good(2, "อำเภอบางละมุง", 12.9701, 100.9001);
        b.phones = a.phones.clone();
        let f = findings(&[b, a], now());
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            matches!(&f[0].kind, FindingKind::LikelyDuplicate { other, reasons } if *other == code(2) && reasons.len() == 2)
        );
        assert_eq!(f[0].code, code(1));
    }

    #[test]
    fn a_switchboard_on_many_points_is_not_a_duplicate() {
        let points: Vec<PointFacts> = (0..=SHARED_LINE_MAX_POINTS as u64)
            .map(|n| {
                let mut p = good(n, &format!("หน่วย {n}"), 10.0 + n as f64, 100.0);
                p.phones = vec![phone("022222222", None)];
                p
            })
            .collect();
        assert_eq!(checks(&points), []);
        let pairs = shared_phone_pairs(&points[..SHARED_LINE_MAX_POINTS]);
        assert_eq!(
            pairs.len(),
            SHARED_LINE_MAX_POINTS * (SHARED_LINE_MAX_POINTS - 1) / 2
        );
    }

    /// Deterministic pseudo-random numbers in [0, 1), so the test needs no crate.
    fn lcg(state: &mut u64) -> f64 {
        *state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    const AGENCIES: [&str; 8] = [
        "สำนักงานพัฒนาชุมชนอำเภอ",
        "ที่ว่าการอำเภอ",
        "สำนักงานเกษตรอำเภอ",
        "สำนักงานสาธารณสุขอำเภอ",
        "สถานีตำรวจภูธร",
        "โรงพยาบาล",
        "สำนักงานที่ดินจังหวัด",
        "เทศบาลตำบล",
    ];
    const PLACES: [&str; 6] = ["บางละมุง", "ศรีราชา", "สัตหีบ", "พนัสนิคม", "บ่อทอง", "เกาะจันทร์"];

    /// Points over Thailand's extent, a quarter of them in compounds of eight offices
    /// within 45 m of each other, as district halls are; the others alone, each with a
    /// name of its own.
    fn country(n: usize) -> Vec<PointFacts> {
        let mut seed = 42;
        let mut out = Vec::with_capacity(n);
        for group in 0.. {
            if out.len() >= n {
                break;
            }
            let lat = 5.6 + lcg(&mut seed) * 14.8;
            let lon = 97.4 + lcg(&mut seed) * 8.2;
            let i = out.len() as u64;
            if group % 25 != 0 {
                out.push(good(i, &format!("หน่วยบริการที่ {i}"), lat, lon));
                continue;
            }
            let place = PLACES[(lcg(&mut seed) * PLACES.len() as f64) as usize];
            for (k, agency) in AGENCIES.iter().enumerate() {
                let d = k as f64 * 0.00004;
                let i = out.len() as u64;
                out.push(good(i, &format!("{agency}{place}"), lat + d, lon + d));
            }
        }
        out.truncate(n);
        out
    }

    #[test]
    fn a_country_of_points_is_checked_in_linear_work() {
        let points = country(80_000);
        let names = name_keys(&points);
        let (pairs, examined) = near_similar_pairs(&points, &names);
        // A compound of 8 has 28 pairs: about 20,000/8 × 28 = 70,000 in all, less than
        // one per point; comparing every pair would be 3.2 billion.
        assert!(examined < points.len(), "{examined}");
        assert_eq!(pairs, [], "the compounds' offices all differ");
        let f = findings(&points, now());
        assert_eq!(f, [], "{:?}", f.first());
    }

    #[test]
    fn pins_piled_on_one_spot_stay_linear_and_still_find_identical_names() {
        let mut points: Vec<PointFacts> = (0..20_000u64)
            .map(|n| good(n, &format!("หน่วยบริการ {n}"), 13.0, 100.0))
            .collect();
        points.push(good(90_000, "หน่วยบริการ 17", 13.0, 100.0));
        let names = name_keys(&points);
        let (pairs, examined) = near_similar_pairs(&points, &names);
        assert!(examined <= points.len(), "{examined}");
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].a, pairs[0].b), (17, 20_000));
    }

    #[test]
    fn the_grid_finds_pairs_across_cell_borders() {
        let width = chord_for_km(DUPLICATE_RADIUS_KM);
        // Walk along a meridian until two points 10 m apart fall in different cells.
        let (mut lat, step) = (13.0, 10.0 / 111_195.0);
        while cell_of(LatLon::new(lat, 100.0).unwrap(), width)
            == cell_of(LatLon::new(lat + step, 100.0).unwrap(), width)
        {
            lat += step / 3.0;
        }
        let points = [
            good(1, "ที่ว่าการอำเภอบางละมุง", lat, 100.0),
            good(2, "อำเภอบางละมุง", lat + step, 100.0),
        ];
        assert_eq!(checks(&points), [(code(1), Check::LikelyDuplicate)]);
    }

    #[test]
    fn counts_list_every_check() {
        let mut p = good(1, "ก", 12.0, 100.0);
        p.photos = 0;
        let mut q = good(2, "ข", 13.0, 100.0);
        q.photos = 0;
        q.has_hours = false;
        let counts = count_by_check(&findings(&[p, q], now()));
        assert_eq!(counts.len(), Check::ALL.len());
        assert!(counts.contains(&(Check::MissingPhoto, 2)));
        assert!(counts.contains(&(Check::MissingHours, 1)));
        assert!(counts.contains(&(Check::NotVerified, 0)));
    }

    #[test]
    fn slugs_round_trip_and_texts_exist() {
        for c in Check::ALL {
            assert_eq!(Check::parse(c.slug()), Some(c));
            assert!(!c.th().is_empty() && !c.en().is_empty());
        }
        assert_eq!(Check::parse("nope"), None);
        let f = FindingKind::MissingPhoto;
        assert_eq!(f.slug(), "missing_photo");
        assert_eq!(f.detail_th(), f.th());
    }
}
