//! A citizen manual as the lines its history compares: each field of the template as
//! text (a list as one line per row), and the fields that differ between two states.
//! The history stores whole manuals and words the difference when shown, so a field
//! added to the template later is compared without touching what was recorded.

use crate::manual::{Manual, Span};
use crate::point_edit::FieldChange;

/// Every field the catalogue edits, in the order of the template, as `(name, text)`.
/// The names are the manual's JSON field names; the identity of the version (id,
/// version, state, key, owner) is what the history entry says, not a field.
pub fn fields(m: &Manual) -> Vec<(&'static str, String)> {
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    let joined = |parts: Vec<String>| {
        parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let rows = |lines: Vec<String>| {
        lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| format!("{}. {l}", i + 1))
            .collect::<Vec<_>>()
            .join("\n")
    };
    vec![
        ("title_th", m.title_th.clone()),
        ("title_en", m.title_en.clone()),
        ("process_name", m.process_name.clone()),
        ("owning_agency", m.owning_agency.clone()),
        ("service_type", m.service_type.clone()),
        ("category", m.category.clone()),
        (
            "legal_bases",
            rows(
                m.legal_bases
                    .iter()
                    .map(|l| {
                        joined(vec![
                            l.kind.clone(),
                            l.name.clone(),
                            l.year_be.map(|y| format!("พ.ศ. {y}")).unwrap_or_default(),
                            opt(&l.section),
                            opt(&l.note),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("impact_level", m.impact_level.clone()),
        ("service_areas", m.service_areas.join(", ")),
        ("statutory_time_law", opt(&m.statutory_time_law)),
        ("statutory_time", span_text(m.statutory_time)),
        (
            "stats",
            format!(
                "{} / {} / {}",
                m.stats.avg_per_month, m.stats.max_per_month, m.stats.min_per_month
            ),
        ),
        ("reference_name", m.reference_name.clone()),
        (
            "channels",
            rows(
                m.channels
                    .iter()
                    .map(|c| {
                        joined(vec![
                            c.place.clone(),
                            opt(&c.address),
                            opt(&c.phone),
                            opt(&c.url),
                            opt(&c.hours_text),
                            opt(&c.note),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("criteria", m.criteria.clone()),
        (
            "steps",
            rows(
                m.steps
                    .iter()
                    .map(|s| {
                        joined(vec![
                            s.kind.clone(),
                            s.description.clone(),
                            span_text(s.duration),
                            opt(&s.responsible),
                            opt(&s.note),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("simplified", yes_no(m.simplified)),
        (
            "documents",
            rows(
                m.documents
                    .iter()
                    .map(|d| {
                        joined(vec![
                            d.group.clone(),
                            d.name.clone(),
                            opt(&d.issuer),
                            format!("ฉบับจริง {} สำเนา {} {}", d.originals, d.copies, d.unit),
                            opt(&d.note),
                            if d.id_copy {
                                "สำเนาบัตรประชาชน/ทะเบียนบ้าน".to_owned()
                            } else {
                                String::new()
                            },
                        ])
                    })
                    .collect(),
            ),
        ),
        ("no_documents", yes_no(m.no_documents)),
        (
            "fees",
            rows(
                m.fees
                    .iter()
                    .map(|f| {
                        joined(vec![
                            f.description.clone(),
                            format!(
                                "{} {}",
                                number_text(f.amount),
                                if f.unit == "percent" {
                                    "%"
                                } else {
                                    "บาท"
                                }
                            ),
                            opt(&f.base),
                            opt(&f.per),
                            opt(&f.note),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("no_fee", yes_no(m.no_fee)),
        (
            "complaint_channels",
            rows(
                m.complaint_channels
                    .iter()
                    .map(|c| {
                        joined(vec![
                            c.channel.clone(),
                            opt(&c.address),
                            opt(&c.phone),
                            opt(&c.url),
                            opt(&c.note),
                        ])
                    })
                    .collect(),
            ),
        ),
        (
            "forms",
            rows(
                m.forms
                    .iter()
                    .map(|f| joined(vec![f.name.clone(), opt(&f.url)]))
                    .collect(),
            ),
        ),
        ("remarks", opt(&m.remarks)),
        (
            "published_on",
            m.published_on.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("prepared_by", opt(&m.prepared_by)),
        ("approved_by", opt(&m.approved_by)),
        ("published_by", opt(&m.published_by)),
    ]
}

/// The fields that differ between two states (either may be absent: a new manual has
/// nothing before), each as text, in the order of the template.
pub fn diff(before: Option<&Manual>, after: Option<&Manual>) -> Vec<FieldChange> {
    let (a, b) = (before.map(fields), after.map(fields));
    let names: Vec<&'static str> = a.iter().chain(&b).flatten().map(|(n, _)| *n).collect();
    let get = |side: &Option<Vec<(&'static str, String)>>, name: &str| {
        side.iter()
            .flatten()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut out: Vec<FieldChange> = Vec::new();
    for name in names {
        if out.iter().any(|c| c.field == name) {
            continue;
        }
        let (x, y) = (get(&a, name), get(&b, name));
        if x != y {
            out.push(FieldChange {
                field: name,
                before: x,
                after: y,
            });
        }
    }
    out
}

fn span_text(s: Span) -> String {
    format!("{} {}", number_text(s.value), s.unit.label_th())
}

/// `150`, `1.5`: no trailing `.0`; what is not a number is written as it is.
fn number_text(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn yes_no(b: bool) -> String {
    if b { "ใช่" } else { "ไม่ใช่" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manual::{DurationUnit, Fee, LegalBasis, ManualState, RequestStats, Step};

    fn manual() -> Manual {
        Manual {
            id: 1,
            key: "otop-registration".into(),
            owner_department_code: crate::UnitCode::parse("0112140000000").unwrap(),
            version: 1,
            state: ManualState::Published,
            title_th: "การลงทะเบียนผู้ผลิต OTOP".into(),
            title_en: "Registration of OTOP producers".into(),
            process_name: "การลงทะเบียนผู้ผลิต OTOP".into(),
            owning_agency: "กรมการพัฒนาชุมชน".into(),
            service_type: "single_unit".into(),
            category: "registration".into(),
            legal_bases: vec![LegalBasis {
                kind: "regulation".into(),
                name: "ระเบียบกระทรวงมหาดไทย".into(),
                year_be: Some(2562),
                section: None,
                note: None,
            }],
            impact_level: "general".into(),
            service_areas: vec!["central".into(), "regional".into()],
            statutory_time_law: None,
            statutory_time: Span {
                value: 15.0,
                unit: DurationUnit::WorkingDays,
            },
            stats: RequestStats::default(),
            reference_name: "OTOP 29/06/2563".into(),
            channels: vec![],
            criteria: "1. ผู้ผลิตในตำบล".into(),
            steps: vec![Step {
                kind: "การตรวจสอบเอกสาร".into(),
                description: "ยื่นแบบ ผ.1".into(),
                duration: Span {
                    value: 1.0,
                    unit: DurationUnit::Days,
                },
                responsible: None,
                note: None,
            }],
            simplified: true,
            documents: vec![],
            no_documents: true,
            fees: vec![],
            no_fee: true,
            complaint_channels: vec![],
            forms: vec![],
            remarks: Some("ไม่มีค่าธรรมเนียม".into()),
            published_on: None,
            prepared_by: None,
            approved_by: None,
            published_by: None,
        }
    }

    #[test]
    fn the_same_manual_has_no_difference() {
        let m = manual();
        assert!(diff(Some(&m), Some(&m)).is_empty());
        // What identifies the version is not a field.
        let mut n = m.clone();
        n.id = 99;
        n.version = 7;
        assert!(diff(Some(&m), Some(&n)).is_empty());
    }

    #[test]
    fn each_changed_field_is_named_with_both_sides() {
        let m = manual();
        let mut n = m.clone();
        n.title_en = "Registration (revised)".into();
        n.steps[0].duration = Span {
            value: 1.5,
            unit: DurationUnit::Hours,
        };
        n.no_fee = false;
        n.fees.push(Fee {
            description: "ค่าคำขอ".into(),
            amount: 20.0,
            unit: "baht".into(),
            base: None,
            per: Some("ฉบับ".into()),
            note: None,
        });
        let d = diff(Some(&m), Some(&n));
        let names: Vec<&str> = d.iter().map(|c| c.field).collect();
        assert_eq!(names, ["title_en", "steps", "fees", "no_fee"]);
        assert_eq!(d[0].before, m.title_en);
        assert_eq!(d[0].after, "Registration (revised)");
        assert!(d[1].after.starts_with("1. "), "{}", d[1].after);
        assert!(d[1].after.contains("1.5 ชั่วโมง"), "{}", d[1].after);
        assert_eq!(d[2].before, "");
        assert_eq!(d[2].after, "1. ค่าคำขอ · 20 บาท · ฉบับ");
        assert_eq!((d[3].before.as_str(), d[3].after.as_str()), ("ใช่", "ไม่ใช่"));
    }

    #[test]
    fn a_new_manual_shows_every_field_it_fills() {
        let mut m = manual();
        m.remarks = None;
        let d = diff(None, Some(&m));
        assert!(d.iter().all(|c| c.before.is_empty() && !c.after.is_empty()));
        assert!(d.iter().any(|c| c.field == "title_th"));
        assert!(
            !d.iter().any(|c| c.field == "remarks"),
            "an empty field is no change"
        );
        assert!(diff(None, None).is_empty());
    }

    #[test]
    fn rows_are_numbered_one_per_line() {
        let mut m = manual();
        let step = |d: &str| Step {
            kind: "การพิจารณา".into(),
            description: d.into(),
            duration: Span {
                value: 30.0,
                unit: DurationUnit::Minutes,
            },
            responsible: Some("ฝ่ายทะเบียน".into()),
            note: None,
        };
        m.steps = vec![step("ตรวจคำขอ"), step("ลงนาม")];
        let steps = fields(&m)
            .into_iter()
            .find(|(n, _)| *n == "steps")
            .unwrap()
            .1;
        assert_eq!(
            steps,
            "1. การพิจารณา · ตรวจคำขอ · 30 นาที · ฝ่ายทะเบียน\n2. การพิจารณา · ลงนาม · 30 นาที · ฝ่ายทะเบียน"
        );
    }
}
