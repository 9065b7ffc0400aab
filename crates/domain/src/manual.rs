//! The citizen manual (คู่มือสำหรับประชาชน) with the fields of the national template,
//! as structured data: the steps, documents and fees are lists of rows.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    Minutes,
    Hours,
    Days,
    WorkingDays,
}

impl DurationUnit {
    /// Minutes in one unit, counting a (working) day as a 7-hour office day, which is
    /// how the template adds durations of mixed units.
    fn minutes(self) -> f64 {
        match self {
            DurationUnit::Minutes => 1.0,
            DurationUnit::Hours => 60.0,
            DurationUnit::Days | DurationUnit::WorkingDays => 420.0,
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            DurationUnit::Minutes => "นาที",
            DurationUnit::Hours => "ชั่วโมง",
            DurationUnit::Days => "วัน",
            DurationUnit::WorkingDays => "วันทำการ",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            DurationUnit::Minutes => "minutes",
            DurationUnit::Hours => "hours",
            DurationUnit::Days => "days",
            DurationUnit::WorkingDays => "working days",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Span {
    pub value: f64,
    pub unit: DurationUnit,
}

impl Span {
    pub fn in_minutes(self) -> f64 {
        self.value * self.unit.minutes()
    }

    /// `150`, `1.5`: no trailing `.0` for whole numbers.
    pub fn value_text(self) -> String {
        if self.value.fract() == 0.0 {
            format!("{}", self.value as i64)
        } else {
            format!("{}", self.value)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalBasis {
    /// act, royal_decree, emergency_decree, ministerial_regulation, regulation,
    /// announcement, other.
    pub kind: String,
    pub name: String,
    /// Year of the law in the Buddhist era, as in its title.
    pub year_be: Option<i32>,
    pub section: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Channel {
    pub place: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub hours_text: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Step {
    pub kind: String,
    pub description: String,
    pub duration: Span,
    pub responsible: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Document {
    /// `identity` (15.1, issued by a government agency) or `other` (15.2).
    pub group: String,
    pub name: String,
    pub issuer: Option<String>,
    pub originals: i64,
    pub copies: i64,
    pub unit: String,
    pub note: Option<String>,
    /// A copy of the ID card or of the house registration, which government policy
    /// asks offices to stop requiring.
    #[serde(default)]
    pub id_copy: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fee {
    pub description: String,
    pub amount: f64,
    /// `baht` or `percent`.
    pub unit: String,
    pub base: Option<String>,
    pub per: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplaintChannel {
    pub channel: String,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Form {
    pub name: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestStats {
    pub avg_per_month: i64,
    pub max_per_month: i64,
    pub min_per_month: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ManualState {
    Draft,
    #[default]
    Published,
    Archived,
}

impl ManualState {
    pub fn as_str(self) -> &'static str {
        match self {
            ManualState::Draft => "draft",
            ManualState::Published => "published",
            ManualState::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "draft" => ManualState::Draft,
            "published" => ManualState::Published,
            "archived" => ManualState::Archived,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Manual {
    #[serde(default)]
    pub id: i64,
    /// A stable slug, used by imports to pin manuals.
    pub key: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub owner_department_code: crate::UnitCode,
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub state: ManualState,
    pub title_th: String,
    pub title_en: String,
    pub process_name: String,
    pub owning_agency: String,
    /// `single_unit` or `multi_unit`.
    pub service_type: String,
    /// registration, license, enrolment, notification, approval, service_other.
    pub category: String,
    pub legal_bases: Vec<LegalBasis>,
    /// `general` or `economic_social`.
    pub impact_level: String,
    pub service_areas: Vec<String>,
    pub statutory_time_law: Option<String>,
    pub statutory_time: Span,
    pub stats: RequestStats,
    pub reference_name: String,
    pub channels: Vec<Channel>,
    pub criteria: String,
    pub steps: Vec<Step>,
    pub simplified: bool,
    pub documents: Vec<Document>,
    /// Says explicitly that no documents are needed, which the ITA asks for rather than
    /// an empty list. Absent in data written before the flag existed.
    #[serde(default)]
    pub no_documents: bool,
    pub fees: Vec<Fee>,
    pub no_fee: bool,
    pub complaint_channels: Vec<ComplaintChannel>,
    pub forms: Vec<Form>,
    pub remarks: Option<String>,
    pub published_on: Option<chrono::NaiveDate>,
    pub prepared_by: Option<String>,
    pub approved_by: Option<String>,
    pub published_by: Option<String>,
}

/// Whether a problem stops a manual from being published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Against the law or the ITA indicator: the save may keep a draft, not publish.
    Error,
    /// Worth fixing, but the manual is lawful as it is.
    Warning,
}

/// What a manual must say, under the Licensing Facilitation Act (section 7) and the ITA
/// indicator O9, and what government policy asks it not to. Rows are counted from 0 in
/// [`ManualProblem::field`] (as the API's arrays) and from 1 in the messages (as the
/// template's ลำดับ).
#[derive(Debug, Clone, PartialEq)]
pub enum ManualProblem {
    /// The statutory time is negative or not a number (0 means "none set").
    StatutoryTimeInvalid,
    NoSteps,
    /// A step's duration is not a positive number, so the total means nothing.
    StepDurationInvalid {
        step: usize,
    },
    /// The steps add up to more than the law allows.
    OverStatutoryTime {
        total: Span,
        statutory: Span,
    },
    NoDocuments,
    DocumentsContradict,
    /// A copy of the ID card or the house registration, which offices are to look up
    /// instead of asking for.
    IdCopyRequested {
        document: usize,
    },
    FeesUnstated,
    FeesContradict,
    FeeAmountInvalid {
        fee: usize,
    },
    No1111,
}

impl ManualProblem {
    pub fn severity(&self) -> Severity {
        match self {
            ManualProblem::IdCopyRequested { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }

    /// The form field (as the API names it) to point at: `steps[2].duration`.
    pub fn field(&self) -> String {
        match self {
            ManualProblem::StatutoryTimeInvalid => "statutory_time".into(),
            ManualProblem::NoSteps | ManualProblem::OverStatutoryTime { .. } => "steps".into(),
            ManualProblem::StepDurationInvalid { step } => format!("steps[{step}].duration"),
            ManualProblem::NoDocuments => "documents".into(),
            ManualProblem::DocumentsContradict => "no_documents".into(),
            ManualProblem::IdCopyRequested { document } => format!("documents[{document}]"),
            ManualProblem::FeesUnstated => "fees".into(),
            ManualProblem::FeesContradict => "no_fee".into(),
            ManualProblem::FeeAmountInvalid { fee } => format!("fees[{fee}].amount"),
            ManualProblem::No1111 => "complaint_channels".into(),
        }
    }

    pub fn th(&self) -> String {
        match self {
            ManualProblem::StatutoryTimeInvalid => {
                "ระยะเวลาที่กำหนดตามกฎหมายต้องเป็นตัวเลขไม่ติดลบ (0 = ไม่ได้กำหนด)".into()
            }
            ManualProblem::NoSteps => "กรุณาระบุขั้นตอนการให้บริการอย่างน้อย 1 ขั้นตอน".into(),
            ManualProblem::StepDurationInvalid { step } => {
                format!("ขั้นตอนที่ {}: ระยะเวลาต้องเป็นตัวเลขมากกว่า 0", step + 1)
            }
            ManualProblem::OverStatutoryTime { total, statutory } => format!(
                "ระยะเวลาดำเนินการรวม {} เกินระยะเวลาที่กฎหมายกำหนด {}",
                span_th(*total),
                span_th(*statutory)
            ),
            ManualProblem::NoDocuments => "กรุณาระบุเอกสารหลักฐานที่ต้องใช้ หรือระบุว่าไม่ต้องใช้เอกสาร".into(),
            ManualProblem::DocumentsContradict => "ระบุว่าไม่ต้องใช้เอกสาร แต่มีรายการเอกสารอยู่".into(),
            ManualProblem::IdCopyRequested { document } => format!(
                "เอกสารลำดับที่ {}: ไม่ควรเรียกสำเนาบัตรประจำตัวประชาชนหรือสำเนาทะเบียนบ้าน \
                 ให้เจ้าหน้าที่ตรวจสอบจากระบบแทน",
                document + 1
            ),
            ManualProblem::FeesUnstated => "กรุณาระบุค่าธรรมเนียม หรือระบุว่าไม่มีค่าธรรมเนียม".into(),
            ManualProblem::FeesContradict => "ระบุว่าไม่มีค่าธรรมเนียม แต่มีรายการค่าธรรมเนียมอยู่".into(),
            ManualProblem::FeeAmountInvalid { fee } => {
                format!("ค่าธรรมเนียมลำดับที่ {}: จำนวนเงินต้องเป็นตัวเลขไม่ติดลบ", fee + 1)
            }
            ManualProblem::No1111 => {
                "ช่องทางการร้องเรียนต้องมีศูนย์บริการประชาชน สำนักปลัดสำนักนายกรัฐมนตรี (สายด่วน 1111)".into()
            }
        }
    }

    pub fn en(&self) -> String {
        match self {
            ManualProblem::StatutoryTimeInvalid => {
                "The statutory time must be a number, not negative (0 = none set)".into()
            }
            ManualProblem::NoSteps => "List at least one step".into(),
            ManualProblem::StepDurationInvalid { step } => {
                format!("Step {}: the duration must be a number above 0", step + 1)
            }
            ManualProblem::OverStatutoryTime { total, statutory } => format!(
                "The steps take {} in all, more than the statutory {}",
                span_en(*total),
                span_en(*statutory)
            ),
            ManualProblem::NoDocuments => {
                "List the documents needed, or say that none are needed".into()
            }
            ManualProblem::DocumentsContradict => {
                "Documents are listed, but the manual also says none are needed".into()
            }
            ManualProblem::IdCopyRequested { document } => format!(
                "Document {}: offices should not ask for copies of the ID card or house \
                 registration; staff look them up instead",
                document + 1
            ),
            ManualProblem::FeesUnstated => "List the fees, or say there is no fee".into(),
            ManualProblem::FeesContradict => {
                "Fees are listed, but the manual also says there is no fee".into()
            }
            ManualProblem::FeeAmountInvalid { fee } => {
                format!("Fee {}: the amount must be a number, not negative", fee + 1)
            }
            ManualProblem::No1111 => {
                "The complaint channels must include the Prime Minister's Office public \
                 service centre (hotline 1111)"
                    .into()
            }
        }
    }
}

impl std::fmt::Display for ManualProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en())
    }
}

impl std::error::Error for ManualProblem {}

fn span_th(s: Span) -> String {
    format!("{} {}", s.value_text(), s.unit.label_th())
}

fn span_en(s: Span) -> String {
    format!("{} {}", s.value_text(), s.unit.label_en())
}

/// Names of documents that are the ID card or the house registration, for rows whose
/// `id_copy` flag was left unticked.
const ID_DOCUMENTS: [&str; 2] = ["บัตรประจำตัวประชาชน", "ทะเบียนบ้าน"];

impl Document {
    /// Flagged, or named as a copy of an ID document, or an ID document asked for in
    /// copies: showing the original is fine, handing over a copy is what policy ends.
    pub fn asks_for_id_copy(&self) -> bool {
        let id_document = ID_DOCUMENTS.iter().any(|d| self.name.contains(d));
        self.id_copy || (id_document && (self.copies > 0 || self.name.contains("สำเนา")))
    }
}

impl Manual {
    /// Total time = sum of the steps, in the unit of the first step when all steps share
    /// it, otherwise in minutes.
    pub fn total_time(&self) -> Span {
        let minutes: f64 = self.steps.iter().map(|s| s.duration.in_minutes()).sum();
        match self.steps.first() {
            Some(first)
                if self
                    .steps
                    .iter()
                    .all(|s| s.duration.unit == first.duration.unit) =>
            {
                Span {
                    value: self.steps.iter().map(|s| s.duration.value).sum(),
                    unit: first.duration.unit,
                }
            }
            _ => Span {
                value: minutes,
                unit: DurationUnit::Minutes,
            },
        }
    }

    /// Everything a save reports, errors and warnings, in the order of the form.
    pub fn check(&self) -> Vec<ManualProblem> {
        let mut out = Vec::new();
        self.check_time(&mut out);
        self.check_documents(&mut out);
        self.check_fees(&mut out);
        if !self.complaint_channels.iter().any(has_1111) {
            out.push(ManualProblem::No1111);
        }
        out
    }

    /// What stops publishing: the errors of [`Manual::check`]. Empty for a manual that
    /// says what the law requires.
    pub fn problems(&self) -> Vec<ManualProblem> {
        self.check()
            .into_iter()
            .filter(ManualProblem::is_error)
            .collect()
    }

    /// What is worth fixing but does not stop publishing.
    pub fn warnings(&self) -> Vec<ManualProblem> {
        self.check().into_iter().filter(|p| !p.is_error()).collect()
    }

    pub fn can_publish(&self) -> bool {
        self.problems().is_empty()
    }

    /// Steps and statutory time. The comparison is in minutes, a (working) day counting
    /// as the template's 7-hour office day; a statutory time of 0 is "none set".
    fn check_time(&self, out: &mut Vec<ManualProblem>) {
        let statutory = self.statutory_time;
        let statutory_ok = statutory.value.is_finite() && statutory.value >= 0.0;
        if !statutory_ok {
            out.push(ManualProblem::StatutoryTimeInvalid);
        }
        if self.steps.is_empty() {
            out.push(ManualProblem::NoSteps);
        }
        let before = out.len();
        for (step, s) in self.steps.iter().enumerate() {
            if !is_positive(s.duration.value) {
                out.push(ManualProblem::StepDurationInvalid { step });
            }
        }
        // Only a sum of valid durations says anything about the time limit.
        let steps_ok = out.len() == before;
        let total = self.total_time();
        if steps_ok
            && statutory_ok
            && statutory.value > 0.0
            && exceeds(total.in_minutes(), statutory.in_minutes())
        {
            out.push(ManualProblem::OverStatutoryTime { total, statutory });
        }
    }

    fn check_documents(&self, out: &mut Vec<ManualProblem>) {
        match (self.documents.is_empty(), self.no_documents) {
            (true, false) => out.push(ManualProblem::NoDocuments),
            (false, true) => out.push(ManualProblem::DocumentsContradict),
            _ => {}
        }
        for (document, d) in self.documents.iter().enumerate() {
            if d.asks_for_id_copy() {
                out.push(ManualProblem::IdCopyRequested { document });
            }
        }
    }

    fn check_fees(&self, out: &mut Vec<ManualProblem>) {
        match (self.fees.is_empty(), self.no_fee) {
            (true, false) => out.push(ManualProblem::FeesUnstated),
            (false, true) => out.push(ManualProblem::FeesContradict),
            _ => {}
        }
        // A fee of 0 baht is stated (free in some cases); a negative one is a typo.
        for (fee, f) in self.fees.iter().enumerate() {
            if !(f.amount.is_finite() && f.amount >= 0.0) {
                out.push(ManualProblem::FeeAmountInvalid { fee });
            }
        }
    }
}

fn is_positive(value: f64) -> bool {
    value.is_finite() && value > 0.0
}

/// Over the limit beyond rounding: steps of 0.1 and 0.2 days are 0.3 days, though not
/// in floating point.
fn exceeds(total_minutes: f64, limit_minutes: f64) -> bool {
    total_minutes > limit_minutes * (1.0 + 1e-9) + 1e-9
}

/// The 1111 hotline as a number of its own ("สายด่วน 1111", not "02 111 1111"), or the
/// centre's website. A number may be written with spaces, dashes and Thai digits.
fn has_1111(c: &ComplaintChannel) -> bool {
    let in_number =
        |ch: char| ch.is_ascii_digit() || ('๐'..='๙').contains(&ch) || ch == ' ' || ch == '-';
    let hotline = c.phone.as_deref().is_some_and(|p| {
        p.split(|ch: char| !in_number(ch))
            .any(|number| digits(number) == "1111")
    });
    hotline || c.url.as_deref().is_some_and(|u| u.contains("1111.go.th"))
}

fn digits(s: &str) -> String {
    s.chars()
        .filter_map(|ch| match ch {
            '0'..='9' => Some(ch),
            '๐'..='๙' => char::from_u32(ch as u32 - '๐' as u32 + '0' as u32),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(value: f64, unit: DurationUnit) -> Step {
        Step {
            kind: "การพิจารณา".into(),
            description: "ตรวจ".into(),
            duration: Span { value, unit },
            responsible: None,
            note: None,
        }
    }

    fn manual() -> Manual {
        Manual {
            id: 1,
            key: "k".into(),
            owner_department_code: crate::UnitCode::parse("0112140000000").unwrap(),
            version: 1,
            state: ManualState::Published,
            title_th: "ก".into(),
            title_en: "a".into(),
            process_name: "ก".into(),
            owning_agency: "กรมที่ดิน".into(),
            service_type: "single_unit".into(),
            category: "registration".into(),
            legal_bases: vec![],
            impact_level: "general".into(),
            service_areas: vec!["regional".into()],
            statutory_time_law: None,
            statutory_time: Span {
                value: 3.0,
                unit: DurationUnit::Hours,
            },
            stats: RequestStats::default(),
            reference_name: "ref".into(),
            channels: vec![],
            criteria: String::new(),
            steps: vec![
                step(110.0, DurationUnit::Minutes),
                step(40.0, DurationUnit::Minutes),
            ],
            simplified: true,
            documents: vec![Document {
                group: "identity".into(),
                name: "บัตรประจำตัวประชาชน".into(),
                issuer: None,
                originals: 1,
                copies: 0,
                unit: "ฉบับ".into(),
                note: None,
                id_copy: false,
            }],
            no_documents: false,
            fees: vec![],
            no_fee: true,
            complaint_channels: vec![ComplaintChannel {
                channel: "ศูนย์บริการประชาชน".into(),
                address: None,
                phone: Some("สายด่วน 1111".into()),
                url: None,
                note: None,
            }],
            forms: vec![],
            remarks: None,
            published_on: None,
            prepared_by: None,
            approved_by: None,
            published_by: None,
        }
    }

    #[test]
    fn total_time_is_the_sum_of_the_steps() {
        let m = manual();
        assert_eq!(
            m.total_time(),
            Span {
                value: 150.0,
                unit: DurationUnit::Minutes
            }
        );
        assert!(m.problems().is_empty(), "{:?}", m.problems());
    }

    #[test]
    fn mixed_units_add_up_in_minutes() {
        let mut m = manual();
        m.steps = vec![
            step(1.0, DurationUnit::Hours),
            step(30.0, DurationUnit::Minutes),
        ];
        assert_eq!(m.total_time().in_minutes(), 90.0);
    }

    #[test]
    fn flags_what_the_law_requires() {
        let mut m = manual();
        m.steps.push(step(1.0, DurationUnit::Hours));
        m.no_fee = false;
        m.complaint_channels.clear();
        assert_eq!(
            m.problems(),
            vec![
                ManualProblem::OverStatutoryTime {
                    total: Span {
                        value: 210.0,
                        unit: DurationUnit::Minutes
                    },
                    statutory: m.statutory_time
                },
                ManualProblem::FeesUnstated,
                ManualProblem::No1111
            ]
        );
        assert!(!m.can_publish());
    }

    fn span(value: f64, unit: DurationUnit) -> Span {
        Span { value, unit }
    }

    fn over(m: &Manual) -> bool {
        m.problems()
            .iter()
            .any(|p| matches!(p, ManualProblem::OverStatutoryTime { .. }))
    }

    #[test]
    fn the_time_limit_compares_mixed_units_in_office_minutes() {
        let mut m = manual();
        // 2 working days of 7 hours and 3 hours are 17 hours: at the limit, not over.
        m.steps = vec![
            step(2.0, DurationUnit::WorkingDays),
            step(3.0, DurationUnit::Hours),
        ];
        m.statutory_time = span(17.0, DurationUnit::Hours);
        assert!(!over(&m), "{:?}", m.problems());
        m.steps.push(step(1.0, DurationUnit::Minutes));
        assert!(over(&m));
        // The template counts a day and a working day alike.
        m.steps = vec![step(5.0, DurationUnit::WorkingDays)];
        m.statutory_time = span(5.0, DurationUnit::Days);
        assert!(!over(&m));
        m.statutory_time = span(2099.0, DurationUnit::Minutes);
        assert!(over(&m));
    }

    #[test]
    fn sums_that_round_in_floating_point_are_not_over() {
        let mut m = manual();
        m.steps = vec![step(0.1, DurationUnit::Days), step(0.2, DurationUnit::Days)];
        m.statutory_time = span(0.3, DurationUnit::Days);
        assert!(!over(&m), "{:?}", m.problems());
    }

    #[test]
    fn no_statutory_time_means_no_limit() {
        let mut m = manual();
        m.steps = vec![step(400.0, DurationUnit::Days)];
        m.statutory_time = span(0.0, DurationUnit::Minutes);
        assert!(m.problems().is_empty(), "{:?}", m.problems());
    }

    #[test]
    fn a_statutory_time_must_be_a_number_not_negative() {
        for value in [-1.0, f64::NAN, f64::INFINITY] {
            let mut m = manual();
            m.statutory_time = span(value, DurationUnit::Days);
            assert_eq!(
                m.problems(),
                [ManualProblem::StatutoryTimeInvalid],
                "{value}"
            );
        }
    }

    #[test]
    fn each_step_needs_a_positive_duration() {
        let mut m = manual();
        m.steps = vec![
            step(1.0, DurationUnit::Hours),
            step(0.0, DurationUnit::Hours),
            step(f64::NAN, DurationUnit::Hours),
            step(-5.0, DurationUnit::Hours),
        ];
        let problems = m.problems();
        assert_eq!(
            problems,
            [1, 2, 3].map(|step| ManualProblem::StepDurationInvalid { step })
        );
        assert_eq!(problems[0].field(), "steps[1].duration");
        assert_eq!(problems[0].th(), "ขั้นตอนที่ 2: ระยะเวลาต้องเป็นตัวเลขมากกว่า 0");
        // With a negative step the sum means nothing: the step is reported, not the sum.
        m.steps = vec![
            step(5.0, DurationUnit::Hours),
            step(-3.0, DurationUnit::Hours),
        ];
        assert!(!over(&m) && !m.can_publish());
        m.steps.clear();
        assert_eq!(m.problems(), [ManualProblem::NoSteps]);
        assert_eq!(m.problems()[0].field(), "steps");
    }

    #[test]
    fn the_time_message_says_both_times_in_their_units() {
        let mut m = manual();
        m.steps = vec![
            step(10.0, DurationUnit::WorkingDays),
            step(6.0, DurationUnit::WorkingDays),
        ];
        m.statutory_time = span(15.0, DurationUnit::WorkingDays);
        let p = &m.problems()[0];
        assert_eq!(
            p.th(),
            "ระยะเวลาดำเนินการรวม 16 วันทำการ เกินระยะเวลาที่กฎหมายกำหนด 15 วันทำการ"
        );
        assert_eq!(
            p.en(),
            "The steps take 16 working days in all, more than the statutory 15 working days"
        );
        assert_eq!(p.field(), "steps");
    }

    #[test]
    fn documents_or_none_must_be_said_and_not_both() {
        let mut m = manual();
        let listed = m.documents.clone();
        m.documents.clear();
        assert_eq!(m.problems(), [ManualProblem::NoDocuments]);
        m.no_documents = true;
        assert!(m.problems().is_empty(), "{:?}", m.problems());
        m.documents = listed;
        assert_eq!(m.problems(), [ManualProblem::DocumentsContradict]);
        assert_eq!(m.problems()[0].field(), "no_documents");
    }

    #[test]
    fn fees_or_none_must_be_said_and_amounts_make_sense() {
        let mut m = manual();
        let fee = |amount: f64| Fee {
            description: "ค่าธรรมเนียม".into(),
            amount,
            unit: "baht".into(),
            base: None,
            per: None,
            note: None,
        };
        m.no_fee = false;
        assert_eq!(m.problems(), [ManualProblem::FeesUnstated]);
        m.fees = vec![fee(0.0), fee(100.0)];
        assert!(m.problems().is_empty(), "a 0-baht case is stated");
        m.no_fee = true;
        assert_eq!(m.problems(), [ManualProblem::FeesContradict]);
        m.no_fee = false;
        m.fees.push(fee(-20.0));
        assert_eq!(m.problems(), [ManualProblem::FeeAmountInvalid { fee: 2 }]);
        assert_eq!(m.problems()[0].field(), "fees[2].amount");
    }

    fn document(name: &str, copies: i64, id_copy: bool) -> Document {
        Document {
            group: "identity".into(),
            name: name.into(),
            issuer: None,
            originals: 1,
            copies,
            unit: "ฉบับ".into(),
            note: None,
            id_copy,
        }
    }

    #[test]
    fn id_copies_are_a_warning_that_does_not_block_publishing() {
        let mut m = manual();
        m.documents = vec![
            document("บัตรประจำตัวประชาชน", 0, false),
            document("สำเนาทะเบียนบ้าน", 1, true),
            document("สำเนาทะเบียนบ้าน", 1, false),
            document("บัตรประจำตัวประชาชน", 2, false),
            document("หนังสือรับรองการจดทะเบียน", 1, false),
            document("เอกสารอื่น", 0, true),
        ];
        let expected = [1, 2, 3, 5].map(|document| ManualProblem::IdCopyRequested { document });
        assert_eq!(m.check(), expected);
        assert_eq!(m.warnings(), expected);
        assert!(m.problems().is_empty() && m.can_publish());
        assert_eq!(expected[0].severity(), Severity::Warning);
        assert_eq!(expected[0].field(), "documents[1]");
        assert!(expected[0].th().starts_with("เอกสารลำดับที่ 2:"));
    }

    fn channel(phone: Option<&str>, url: Option<&str>) -> ComplaintChannel {
        ComplaintChannel {
            channel: "ร้องเรียน".into(),
            address: None,
            phone: phone.map(Into::into),
            url: url.map(Into::into),
            note: None,
        }
    }

    #[test]
    fn the_1111_hotline_is_a_number_of_its_own() {
        let yes = [
            channel(Some("สายด่วน 1111"), None),
            channel(Some("โทร. ๑๑๑๑ กด 5"), None),
            channel(Some("1206, 1111"), None),
            channel(None, Some("https://www.1111.go.th")),
        ];
        let no = [
            channel(Some("02 111 1111"), None),
            channel(Some("02-111-1111"), None),
            channel(Some("11112"), None),
            channel(None, Some("www.pacc.go.th")),
        ];
        assert!(yes.iter().all(has_1111));
        assert!(
            !no.iter().any(has_1111),
            "{:?}",
            no.iter().find(|c| has_1111(c))
        );
    }

    #[test]
    fn every_problem_has_both_languages_a_field_and_a_severity() {
        let all = [
            ManualProblem::StatutoryTimeInvalid,
            ManualProblem::NoSteps,
            ManualProblem::StepDurationInvalid { step: 0 },
            ManualProblem::OverStatutoryTime {
                total: span(2.0, DurationUnit::Hours),
                statutory: span(1.0, DurationUnit::Hours),
            },
            ManualProblem::NoDocuments,
            ManualProblem::DocumentsContradict,
            ManualProblem::IdCopyRequested { document: 0 },
            ManualProblem::FeesUnstated,
            ManualProblem::FeesContradict,
            ManualProblem::FeeAmountInvalid { fee: 0 },
            ManualProblem::No1111,
        ];
        for p in &all {
            assert!(!p.th().is_empty() && !p.en().is_empty() && !p.field().is_empty());
            assert_eq!(p.to_string(), p.en());
        }
        let warnings = all.iter().filter(|p| !p.is_error()).count();
        assert_eq!(warnings, 1);
    }
}
