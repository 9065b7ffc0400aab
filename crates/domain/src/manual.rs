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

/// What a manual must say, under the Licensing Facilitation Act and the ITA indicator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManualProblem {
    #[error("the manual has no steps")]
    NoSteps,
    #[error("the manual neither lists documents nor says none are needed")]
    NoDocuments,
    #[error("the manual neither lists fees nor says there is no fee")]
    FeesUnstated,
    #[error("fees are listed but the manual also says there is no fee")]
    FeesContradict,
    #[error("the steps take longer than the statutory time")]
    OverStatutoryTime,
    #[error("the complaint channels lack the 1111 hotline of the Prime Minister's Office")]
    No1111,
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

    pub fn problems(&self) -> Vec<ManualProblem> {
        let mut out = Vec::new();
        if self.steps.is_empty() {
            out.push(ManualProblem::NoSteps);
        }
        if self.documents.is_empty() {
            out.push(ManualProblem::NoDocuments);
        }
        match (self.fees.is_empty(), self.no_fee) {
            (true, false) => out.push(ManualProblem::FeesUnstated),
            (false, true) => out.push(ManualProblem::FeesContradict),
            _ => {}
        }
        if self.statutory_time.value > 0.0
            && self.total_time().in_minutes() > self.statutory_time.in_minutes() + 1e-9
        {
            out.push(ManualProblem::OverStatutoryTime);
        }
        let has_1111 = self.complaint_channels.iter().any(|c| {
            c.phone.as_deref().is_some_and(|p| p.contains("1111"))
                || c.url.as_deref().is_some_and(|u| u.contains("1111.go.th"))
        });
        if !has_1111 {
            out.push(ManualProblem::No1111);
        }
        out
    }
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
                ManualProblem::FeesUnstated,
                ManualProblem::OverStatutoryTime,
                ManualProblem::No1111
            ]
        );
    }
}
