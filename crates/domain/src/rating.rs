//! A citizen's rating of a service point, as the form behind the QR poster asks it:
//! overall satisfaction on the five-level Thai scale, then each aspect of the service
//! (1–5 or not applicable), the service received, an optional comment and an optional
//! contact for a reply. Every refusal names its field, in Thai and in English.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::mask::mask_personal_data;
use crate::point_edit::{phone_digits, thai_phone};
use crate::problem::{Problem, plain_text};

/// The longest comment, in characters: a paragraph or two, as the paper forms allow.
pub const COMMENT_MAX_CHARS: usize = 2_000;
/// The longest contact as typed (an e-mail address may be 254 characters).
pub const CONTACT_MAX_CHARS: usize = 254;

/// One level of the five-level scale: 5 is the most satisfied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Score(u8);

/// Why a number is not a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange;

impl fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a score is from 1 to 5")
    }
}

impl std::error::Error for OutOfRange {}

impl TryFrom<u8> for Score {
    type Error = OutOfRange;
    fn try_from(v: u8) -> Result<Self, OutOfRange> {
        Score::new(i64::from(v)).ok_or(OutOfRange)
    }
}

impl From<Score> for u8 {
    fn from(s: Score) -> u8 {
        s.0
    }
}

/// A face per level, so that the scale never relies on colour alone. `key` names the
/// SVG the pages draw (`face-5.svg` … `face-1.svg` by `Score::get`, or by key); the
/// emoji is the text form, for plain-text exports and screen readers' fallback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Face {
    pub key: &'static str,
    pub emoji: &'static str,
}

impl Score {
    pub const MIN: u8 = 1;
    pub const MAX: u8 = 5;
    /// Most satisfied first, as the form lists them.
    pub const ALL: [Score; 5] = [Score(5), Score(4), Score(3), Score(2), Score(1)];

    pub fn new(v: i64) -> Option<Score> {
        (i64::from(Self::MIN)..=i64::from(Self::MAX))
            .contains(&v)
            .then_some(Score(v as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// A score as a form sends it: one digit, ASCII or Thai (`๕`), spaces around allowed.
    pub fn parse(field: &str, input: &str) -> Result<Score, Problem> {
        let t = input.trim();
        if t.is_empty() {
            return Err(Problem::new(
                field,
                "กรุณาเลือกระดับความพึงพอใจ",
                "Choose a level of satisfaction",
            ));
        }
        let digits = phone_digits(t);
        let value = (digits.chars().count() == t.chars().count())
            .then(|| digits.parse::<i64>().ok())
            .flatten();
        value
            .and_then(Score::new)
            .ok_or_else(|| out_of_range(field))
    }

    /// 4 and 5 are "satisfied" in the reports' share.
    pub fn is_satisfied(self) -> bool {
        self.0 >= 4
    }

    pub fn word_th(self) -> &'static str {
        match self.0 {
            5 => "พอใจมากที่สุด",
            4 => "พอใจมาก",
            3 => "พอใจปานกลาง",
            2 => "พอใจน้อย",
            _ => "ไม่พอใจ",
        }
    }

    pub fn word_en(self) -> &'static str {
        match self.0 {
            5 => "Extremely satisfied",
            4 => "Very satisfied",
            3 => "Moderately satisfied",
            2 => "Slightly satisfied",
            _ => "Not satisfied",
        }
    }

    pub fn face(self) -> Face {
        let (key, emoji) = match self.0 {
            5 => ("very-happy", "😄"),
            4 => ("happy", "🙂"),
            3 => ("neutral", "😐"),
            2 => ("unhappy", "🙁"),
            _ => ("very-unhappy", "😞"),
        };
        Face { key, emoji }
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

fn out_of_range(field: &str) -> Problem {
    Problem::new(
        field,
        "คะแนนต้องเป็น 1 ถึง 5",
        "A score is a whole number from 1 to 5",
    )
}

/// What is rated: the overall satisfaction, then the five aspects of the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Overall,
    /// The process and the waiting.
    Process,
    Staff,
    /// The place and its facilities.
    Place,
    /// The result of the service.
    Result,
    /// The information given and the citizen manual.
    Information,
}

impl Dimension {
    /// In the form's order; `index` is the position here.
    pub const ALL: [Dimension; 6] = [
        Dimension::Overall,
        Dimension::Process,
        Dimension::Staff,
        Dimension::Place,
        Dimension::Result,
        Dimension::Information,
    ];
    /// The aspects asked after the overall satisfaction.
    pub const ASPECTS: [Dimension; 5] = [
        Dimension::Process,
        Dimension::Staff,
        Dimension::Place,
        Dimension::Result,
        Dimension::Information,
    ];

    /// The name in storage, the API and form fields; never changes.
    pub fn key(self) -> &'static str {
        match self {
            Dimension::Overall => "overall",
            Dimension::Process => "process",
            Dimension::Staff => "staff",
            Dimension::Place => "place",
            Dimension::Result => "result",
            Dimension::Information => "information",
        }
    }

    pub fn from_key(key: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.key() == key)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn label_th(self) -> &'static str {
        match self {
            Dimension::Overall => "ความพึงพอใจโดยรวม",
            Dimension::Process => "ขั้นตอนและระยะเวลารอคอย",
            Dimension::Staff => "เจ้าหน้าที่ผู้ให้บริการ",
            Dimension::Place => "สถานที่และสิ่งอำนวยความสะดวก",
            Dimension::Result => "ผลการให้บริการ",
            Dimension::Information => "ข้อมูลและคู่มือสำหรับประชาชน",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Dimension::Overall => "Overall satisfaction",
            Dimension::Process => "Process and waiting time",
            Dimension::Staff => "Staff",
            Dimension::Place => "Place and facilities",
            Dimension::Result => "Result of the service",
            Dimension::Information => "Information and the citizen manual",
        }
    }

    /// The form field of the dimension: `overall`, `dimensions.staff`.
    pub fn field(self) -> String {
        match self {
            Dimension::Overall => "overall".into(),
            d => format!("dimensions.{}", d.key()),
        }
    }
}

/// The answer to one aspect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DimensionAnswer {
    Score(Score),
    NotApplicable,
}

/// What forms send for "not applicable". An aspect left blank is not applicable too:
/// a citizen who skips "the place" has not rated it.
const NOT_APPLICABLE: [&str; 4] = ["na", "n/a", "-", "ไม่เกี่ยวข้อง"];

impl DimensionAnswer {
    pub fn parse(field: &str, input: &str) -> Result<DimensionAnswer, Problem> {
        let t = input.trim();
        if t.is_empty() || NOT_APPLICABLE.iter().any(|na| t.eq_ignore_ascii_case(na)) {
            return Ok(DimensionAnswer::NotApplicable);
        }
        Score::parse(field, t).map(DimensionAnswer::Score)
    }

    pub fn score(self) -> Option<Score> {
        match self {
            DimensionAnswer::Score(s) => Some(s),
            DimensionAnswer::NotApplicable => None,
        }
    }

    /// The form value: `1`…`5` or `na`.
    pub fn key(self) -> String {
        match self {
            DimensionAnswer::Score(s) => s.to_string(),
            DimensionAnswer::NotApplicable => "na".into(),
        }
    }
}

/// The service received: one of the manuals pinned to the point, or something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Manual(i64),
    Other,
}

impl Service {
    /// `other`, or a manual's id. Blank is `other`: a citizen who does not know the
    /// service's name can still rate.
    pub fn parse(input: &str) -> Result<Service, Problem> {
        let t = input.trim();
        if t.is_empty() || t.eq_ignore_ascii_case("other") {
            return Ok(Service::Other);
        }
        t.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Service::Manual)
            .ok_or_else(unknown_service)
    }

    /// The form value: `other` or the manual's id.
    pub fn key(self) -> String {
        match self {
            Service::Manual(id) => id.to_string(),
            Service::Other => "other".into(),
        }
    }
}

fn unknown_service() -> Problem {
    Problem::new(
        "service",
        "กรุณาเลือกงานบริการจากรายการของจุดบริการนี้ หรือ \"อื่น ๆ\"",
        "Choose a service of this service point, or \"other\"",
    )
}

/// How the office may reply, given by the citizen for that purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Contact {
    /// National digits: `0812345678`, `021234567`.
    Phone(String),
    /// As `account::email` writes it: the domain lower-cased.
    Email(String),
}

impl Contact {
    /// A Thai landline or mobile as typed (`081-234-5678`, `+66 81 234 5678`, Thai
    /// digits), or an e-mail address. Hotlines are not a person's contact.
    pub fn parse(input: &str) -> Result<Contact, Problem> {
        let t = input.trim();
        if t.contains('@') {
            return crate::account::email(t)
                .map(Contact::Email)
                .map_err(|_| bad_contact());
        }
        let looks_like_a_number = t.chars().all(|c| {
            c.is_ascii_digit()
                || ('๐'..='๙').contains(&c)
                || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+')
        });
        let digits = phone_digits(t);
        if looks_like_a_number && matches!(digits.len(), 9 | 10) && thai_phone(&digits) {
            Ok(Contact::Phone(digits))
        } else {
            Err(bad_contact())
        }
    }
}

fn bad_contact() -> Problem {
    Problem::new(
        "contact",
        "กรุณากรอกเบอร์โทรศัพท์ (เช่น 081-234-5678) หรืออีเมล",
        "Give a Thai phone number (such as 081-234-5678) or an e-mail address",
    )
}

/// A rating as the form or the API delivers it, every field as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RatingForm {
    pub overall: Option<String>,
    /// Dimension key and answer: `("staff", "4")`, `("place", "na")`.
    #[serde(default)]
    pub dimensions: Vec<(String, String)>,
    pub service: Option<String>,
    pub comment: Option<String>,
    pub contact: Option<String>,
}

/// A checked rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingInput {
    pub overall: Score,
    /// The aspects answered; an aspect not listed is not applicable.
    pub dimensions: Vec<(Dimension, DimensionAnswer)>,
    pub service: Service,
    /// From `RatingForm::parse`, already masked (`mask::mask_personal_data`).
    pub comment: Option<String>,
    pub contact: Option<Contact>,
}

impl RatingForm {
    /// The rating, or every problem of every field. `pinned` are the ids of the manuals
    /// pinned to the service point rated. The comment comes back masked, as it may be
    /// stored; its length is checked as the citizen typed it.
    pub fn parse(&self, pinned: &[i64]) -> Result<RatingInput, Vec<Problem>> {
        let mut problems = Vec::new();

        let overall = match self.overall.as_deref().map(str::trim) {
            None | Some("") => {
                problems.push(Problem::new(
                    "overall",
                    "กรุณาเลือกระดับความพึงพอใจโดยรวม",
                    "Choose your overall satisfaction",
                ));
                None
            }
            Some(v) => Score::parse("overall", v)
                .map_err(|p| problems.push(p))
                .ok(),
        };

        let mut dimensions = Vec::new();
        for (key, value) in &self.dimensions {
            match Dimension::from_key(key.trim()) {
                Some(Dimension::Overall) | None => problems.push(Problem::new(
                    format!("dimensions.{key}"),
                    "ไม่มีหัวข้อการประเมินนี้",
                    "There is no such aspect to rate",
                )),
                Some(d) => match DimensionAnswer::parse(&d.field(), value) {
                    Ok(a) => dimensions.push((d, a)),
                    Err(p) => problems.push(p),
                },
            }
        }

        let service = Service::parse(self.service.as_deref().unwrap_or(""))
            .map_err(|p| problems.push(p))
            .ok();

        let comment = self
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned);

        let contact = match self.contact.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) if c.chars().count() > CONTACT_MAX_CHARS => {
                problems.push(bad_contact());
                None
            }
            Some(c) => Contact::parse(c).map_err(|p| problems.push(p)).ok(),
        };

        let (Some(overall), Some(service)) = (overall, service) else {
            problems.extend(check_rest(&dimensions, service, comment.as_deref(), pinned));
            return Err(problems);
        };
        let input = RatingInput {
            overall,
            dimensions,
            service,
            comment,
            contact,
        };
        problems.extend(input.validate(pinned));
        if problems.is_empty() {
            Ok(input.masked())
        } else {
            Err(problems)
        }
    }
}

impl RatingInput {
    /// Every problem of a rating whose fields are already typed (a JSON body): an
    /// aspect given twice or `overall` among the aspects, a service not pinned to the
    /// point, a comment too long or with control characters.
    pub fn validate(&self, pinned: &[i64]) -> Vec<Problem> {
        check_rest(
            &self.dimensions,
            Some(self.service),
            self.comment.as_deref(),
            pinned,
        )
    }

    /// The same rating with personal data masked in its comment: what may be stored.
    pub fn masked(mut self) -> RatingInput {
        self.comment = self.comment.map(|c| mask_personal_data(&c));
        self
    }

    /// The answer to an aspect (or the overall score); not listed is not applicable.
    pub fn answer(&self, d: Dimension) -> DimensionAnswer {
        if d == Dimension::Overall {
            return DimensionAnswer::Score(self.overall);
        }
        self.dimensions
            .iter()
            .find(|(k, _)| *k == d)
            .map_or(DimensionAnswer::NotApplicable, |(_, a)| *a)
    }
}

fn check_rest(
    dimensions: &[(Dimension, DimensionAnswer)],
    service: Option<Service>,
    comment: Option<&str>,
    pinned: &[i64],
) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, (d, _)) in dimensions.iter().enumerate() {
        if *d == Dimension::Overall {
            out.push(Problem::new(
                "dimensions.overall",
                "ความพึงพอใจโดยรวมตอบแยกจากหัวข้ออื่น",
                "The overall satisfaction is answered on its own",
            ));
        } else if dimensions[..i].iter().any(|(e, _)| e == d) {
            out.push(Problem::new(
                d.field(),
                "ตอบหัวข้อนี้ซ้ำ",
                "This aspect is answered twice",
            ));
        }
    }
    if let Some(Service::Manual(id)) = service
        && !pinned.contains(&id)
    {
        out.push(unknown_service());
    }
    if let Some(c) = comment {
        plain_text(&mut out, "comment", c, COMMENT_MAX_CHARS, false);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: i64) -> Score {
        Score::new(v).unwrap()
    }

    fn form(overall: &str) -> RatingForm {
        RatingForm {
            overall: Some(overall.into()),
            ..RatingForm::default()
        }
    }

    fn fields(p: &[Problem]) -> Vec<&str> {
        p.iter().map(|p| p.field.as_str()).collect()
    }

    #[test]
    fn scores_are_one_to_five() {
        assert_eq!(Score::new(0), None);
        assert_eq!(Score::new(6), None);
        assert_eq!(Score::new(-1), None);
        assert_eq!(s(5).get(), 5);
        assert_eq!(Score::try_from(3u8), Ok(s(3)));
        assert_eq!(Score::try_from(9u8), Err(OutOfRange));
        assert_eq!(Score::ALL.map(Score::get), [5, 4, 3, 2, 1]);
    }

    #[test]
    fn scores_from_form_strings() {
        assert_eq!(Score::parse("overall", "4"), Ok(s(4)));
        assert_eq!(Score::parse("overall", " 5 "), Ok(s(5)));
        assert_eq!(Score::parse("overall", "๓"), Ok(s(3)));
        for bad in ["0", "6", "10", "-1", "4.5", "four", "4 5", "+4", "๖"] {
            let p = Score::parse("overall", bad).unwrap_err();
            assert_eq!(p.field, "overall", "{bad}");
            assert_eq!(p.th, "คะแนนต้องเป็น 1 ถึง 5");
            assert!(p.en.contains("1 to 5"));
        }
        let p = Score::parse("overall", "  ").unwrap_err();
        assert_eq!(p.en, "Choose a level of satisfaction");
    }

    #[test]
    fn scores_in_json() {
        assert_eq!(serde_json::to_string(&s(4)).unwrap(), "4");
        assert_eq!(serde_json::from_str::<Score>("2").unwrap(), s(2));
        assert!(serde_json::from_str::<Score>("7").is_err());
        assert!(serde_json::from_str::<Score>("0").is_err());
    }

    #[test]
    fn the_five_levels_in_words_and_faces() {
        let th: Vec<&str> = Score::ALL.iter().map(|s| s.word_th()).collect();
        assert_eq!(
            th,
            ["พอใจมากที่สุด", "พอใจมาก", "พอใจปานกลาง", "พอใจน้อย", "ไม่พอใจ"]
        );
        let keys: Vec<&str> = Score::ALL.iter().map(|s| s.face().key).collect();
        assert_eq!(
            keys,
            ["very-happy", "happy", "neutral", "unhappy", "very-unhappy"]
        );
        for s in Score::ALL {
            assert!(!s.word_en().is_empty());
            assert!(!s.face().emoji.is_empty());
        }
        assert!(s(4).is_satisfied() && s(5).is_satisfied() && !s(3).is_satisfied());
    }

    #[test]
    fn dimensions_have_stable_keys() {
        let keys: Vec<&str> = Dimension::ALL.iter().map(|d| d.key()).collect();
        assert_eq!(
            keys,
            [
                "overall",
                "process",
                "staff",
                "place",
                "result",
                "information"
            ]
        );
        for (i, d) in Dimension::ALL.into_iter().enumerate() {
            assert_eq!(d.index(), i);
            assert_eq!(Dimension::from_key(d.key()), Some(d));
            assert_eq!(serde_json::to_value(d).unwrap(), d.key());
            assert!(!d.label_th().is_empty() && !d.label_en().is_empty());
        }
        assert_eq!(Dimension::from_key("Staff"), None);
        assert_eq!(Dimension::Staff.field(), "dimensions.staff");
        assert_eq!(Dimension::Overall.field(), "overall");
    }

    #[test]
    fn dimension_answers() {
        let f = "dimensions.place";
        assert_eq!(
            DimensionAnswer::parse(f, "3"),
            Ok(DimensionAnswer::Score(s(3)))
        );
        for na in ["", " ", "na", "NA", "n/a", "-", "ไม่เกี่ยวข้อง"] {
            assert_eq!(
                DimensionAnswer::parse(f, na),
                Ok(DimensionAnswer::NotApplicable),
                "{na}"
            );
        }
        assert_eq!(DimensionAnswer::parse(f, "7").unwrap_err().field, f);
        assert_eq!(DimensionAnswer::NotApplicable.key(), "na");
        assert_eq!(DimensionAnswer::Score(s(2)).key(), "2");
    }

    #[test]
    fn contacts() {
        assert_eq!(
            Contact::parse("081-234-5678"),
            Ok(Contact::Phone("0812345678".into()))
        );
        assert_eq!(
            Contact::parse("+66 81 234 5678"),
            Ok(Contact::Phone("0812345678".into()))
        );
        assert_eq!(
            Contact::parse("๐๒-๑๒๓-๔๕๖๗"),
            Ok(Contact::Phone("021234567".into()))
        );
        assert_eq!(
            Contact::parse("Somchai@Example.CO.TH"),
            Ok(Contact::Email("Somchai@example.co.th".into()))
        );
        for bad in [
            "1111",
            "12345",
            "0112345678",
            "081 234 567x",
            "โทรมา",
            "a@b",
            "@x.com",
        ] {
            let p = Contact::parse(bad).unwrap_err();
            assert_eq!(p.field, "contact", "{bad}");
        }
    }

    #[test]
    fn services() {
        assert_eq!(Service::parse(""), Ok(Service::Other));
        assert_eq!(Service::parse("other"), Ok(Service::Other));
        assert_eq!(Service::parse(" 42 "), Ok(Service::Manual(42)));
        assert_eq!(Service::parse("0").unwrap_err().field, "service");
        assert_eq!(Service::parse("otop").unwrap_err().field, "service");
        assert_eq!(Service::Manual(7).key(), "7");
    }

    #[test]
    fn a_whole_rating() {
        let f = RatingForm {
            overall: Some("5".into()),
            dimensions: vec![
                ("process".into(), "4".into()),
                ("staff".into(), "5".into()),
                ("place".into(), "na".into()),
                ("result".into(), "๕".into()),
            ],
            service: Some("12".into()),
            comment: Some("  เจ้าหน้าที่บริการดีมาก โทรกลับ 081-234-5678 ครับ  ".into()),
            contact: Some("somchai@example.com".into()),
        };
        let r = f.parse(&[12, 13]).unwrap();
        assert_eq!(r.overall, s(5));
        assert_eq!(r.service, Service::Manual(12));
        assert_eq!(r.answer(Dimension::Overall), DimensionAnswer::Score(s(5)));
        assert_eq!(r.answer(Dimension::Process), DimensionAnswer::Score(s(4)));
        assert_eq!(r.answer(Dimension::Place), DimensionAnswer::NotApplicable);
        assert_eq!(r.answer(Dimension::Result), DimensionAnswer::Score(s(5)));
        assert_eq!(
            r.answer(Dimension::Information),
            DimensionAnswer::NotApplicable
        );
        assert_eq!(
            r.comment.as_deref(),
            Some("เจ้าหน้าที่บริการดีมาก โทรกลับ [เบอร์โทรถูกซ่อน / phone hidden] ครับ")
        );
        assert_eq!(
            r.contact,
            Some(Contact::Email("somchai@example.com".into()))
        );
    }

    #[test]
    fn only_the_overall_is_required() {
        let r = form("3").parse(&[]).unwrap();
        assert_eq!(r.overall, s(3));
        assert_eq!(r.service, Service::Other);
        assert_eq!(r.comment, None);
        assert_eq!(r.contact, None);
        let blank = RatingForm {
            comment: Some("   ".into()),
            contact: Some("".into()),
            ..form("3")
        };
        let r = blank.parse(&[]).unwrap();
        assert_eq!((r.comment, r.contact), (None, None));
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        let f = RatingForm {
            overall: None,
            dimensions: vec![
                ("process".into(), "9".into()),
                ("smell".into(), "3".into()),
                ("staff".into(), "4".into()),
                ("staff".into(), "5".into()),
                ("overall".into(), "5".into()),
            ],
            service: Some("99".into()),
            comment: Some("ก".repeat(COMMENT_MAX_CHARS + 1)),
            contact: Some("ติดต่อได้".into()),
        };
        let p = f.parse(&[12]).unwrap_err();
        assert_eq!(
            fields(&p),
            [
                "overall",
                "dimensions.process",
                "dimensions.smell",
                "dimensions.overall",
                "contact",
                "dimensions.staff",
                "service",
                "comment",
            ]
        );
        let p = RatingForm {
            service: Some("99".into()),
            ..form("4")
        }
        .parse(&[12])
        .unwrap_err();
        assert_eq!(fields(&p), ["service"]);
        for p in &p {
            assert!(!p.th.is_empty() && !p.en.is_empty());
        }
    }

    #[test]
    fn a_missing_or_bad_overall() {
        for (overall, en) in [
            (None, "Choose your overall satisfaction"),
            (Some(""), "Choose your overall satisfaction"),
            (Some("0"), "A score is a whole number from 1 to 5"),
            (Some("6"), "A score is a whole number from 1 to 5"),
        ] {
            let f = RatingForm {
                overall: overall.map(str::to_owned),
                ..RatingForm::default()
            };
            let p = f.parse(&[]).unwrap_err();
            assert_eq!(fields(&p), ["overall"]);
            assert_eq!(p[0].en, en);
        }
    }

    #[test]
    fn comments_are_plain_text_within_the_limit() {
        let ok = RatingForm {
            comment: Some("ก".repeat(COMMENT_MAX_CHARS)),
            ..form("4")
        };
        assert!(ok.parse(&[]).is_ok());
        let lines = RatingForm {
            comment: Some("บรรทัดแรก\r\nบรรทัดที่สอง\tจบ".into()),
            ..form("4")
        };
        assert!(lines.parse(&[]).is_ok());
        for bad in ["มี\u{0}ศูนย์", "escape \u{1b}[31m"] {
            let f = RatingForm {
                comment: Some(bad.into()),
                ..form("4")
            };
            let p = f.parse(&[]).unwrap_err();
            assert_eq!(fields(&p), ["comment"]);
            assert_eq!(p[0].en, "Contains control characters");
        }
    }

    #[test]
    fn a_typed_rating_is_validated_too() {
        let r = RatingInput {
            overall: s(4),
            dimensions: vec![
                (Dimension::Staff, DimensionAnswer::Score(s(4))),
                (Dimension::Staff, DimensionAnswer::NotApplicable),
            ],
            service: Service::Manual(5),
            comment: Some("บัตร 1234567890123".into()),
            contact: None,
        };
        assert_eq!(fields(&r.validate(&[6])), ["dimensions.staff", "service"]);
        assert!(r.validate(&[5]).len() == 1);
        assert_eq!(
            r.masked().comment.as_deref(),
            Some("บัตร [เลขประจำตัวถูกซ่อน / ID hidden]")
        );
    }
}
