//! The manual form: every field of the national template as plain HTML fields, the
//! lists (laws, channels, steps, documents, fees, complaint channels, forms) as rows
//! with flat names (`step2_value`, `doc0_id_copy`), the fields back as a manual, and
//! where each check of a save is shown. A list grows by a submit button that sends the
//! form back with one more empty row, so the form needs no script.

use std::collections::HashMap;

use domain::Problem;
use domain::manual::{
    Channel, ComplaintChannel, Document, DurationUnit, Fee, Form, LegalBasis, Manual, Span, Step,
};

use crate::Lang;

pub(crate) type Values = HashMap<String, String>;

/// The choices of a select.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Choice {
    LawKind,
    Duration,
    DocGroup,
    FeeUnit,
    ServiceType,
    Category,
    Impact,
    Simplified,
}

impl Choice {
    fn values(self) -> &'static [&'static str] {
        match self {
            Choice::LawKind => &[
                "act",
                "royal_decree",
                "emergency_decree",
                "ministerial_regulation",
                "regulation",
                "announcement",
                "other",
            ],
            Choice::Duration => &["minutes", "hours", "days", "working_days"],
            Choice::DocGroup => &["identity", "other"],
            Choice::FeeUnit => &["baht", "percent"],
            Choice::ServiceType => &["single_unit", "multi_unit"],
            Choice::Category => &[
                "registration",
                "license",
                "enrolment",
                "notification",
                "approval",
                "service_other",
            ],
            Choice::Impact => &["general", "economic_social"],
            Choice::Simplified => &["yes", "no"],
        }
    }

    fn label(self, lang: Lang, value: &str) -> String {
        match self {
            Choice::LawKind => lang.t(&format!("mc-law-{value}")),
            Choice::Duration => match duration_unit(value) {
                Some(u) => lang.pick(u.label_th(), u.label_en()).to_owned(),
                None => value.to_owned(),
            },
            Choice::DocGroup => lang.t(if value == "identity" {
                "m-docs-identity"
            } else {
                "m-docs-other"
            }),
            Choice::FeeUnit => lang.t(if value == "percent" {
                "mc-percent"
            } else {
                "mc-baht"
            }),
            Choice::Simplified => lang.t(if value == "yes" { "m-yes" } else { "m-no" }),
            Choice::ServiceType | Choice::Category | Choice::Impact => {
                crate::pages::manual::label(lang, value)
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Number,
    Area,
    Check,
    Select(Choice),
}

/// A field of a row: its name after the row's prefix, its label's key, its kind.
pub(crate) struct Col {
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
}

const fn col(name: &'static str, label: &'static str, kind: Kind) -> Col {
    Col { name, label, kind }
}

/// One list of rows of the form.
pub(crate) struct ListDef {
    /// The section (and the `…_rows` count): `steps`.
    pub name: &'static str,
    /// What each row's fields start with: `step`.
    pub prefix: &'static str,
    /// The locale key of a row's legend ("ขั้นตอนที่").
    pub legend: &'static str,
    pub add: &'static str,
    pub cols: &'static [Col],
    /// The fields that make a row: a row with all of them empty is left out, whatever
    /// its selects say.
    pub content: &'static [&'static str],
}

use Kind::{Area, Check, Number, Select, Text};

pub(crate) const LEGAL: ListDef = ListDef {
    name: "legal",
    prefix: "legal",
    legend: "mc-legal-n",
    add: "mc-add-legal",
    cols: &[
        col("kind", "mc-legal-kind", Select(Choice::LawKind)),
        col("name", "mc-legal-name", Text),
        col("year", "mc-legal-year", Number),
        col("section", "mc-legal-section", Text),
        col("note", "m-note", Text),
    ],
    content: &["name", "year", "section", "note"],
};
pub(crate) const CHANNELS: ListDef = ListDef {
    name: "channels",
    prefix: "channel",
    legend: "mc-channel-n",
    add: "mc-add-channel",
    cols: &[
        col("place", "m-place", Text),
        col("address", "mc-address", Text),
        col("phone", "mc-phone", Text),
        col("url", "mc-url", Text),
        col("hours", "m-hours", Text),
        col("note", "m-note", Text),
    ],
    content: &["place", "address", "phone", "url", "hours", "note"],
};
pub(crate) const STEPS: ListDef = ListDef {
    name: "steps",
    prefix: "step",
    legend: "mc-step-n",
    add: "mc-add-step",
    cols: &[
        col("kind", "m-step-kind", Text),
        col("description", "m-step-detail", Area),
        col("value", "m-step-time", Number),
        col("unit", "mc-duration-unit", Select(Choice::Duration)),
        col("responsible", "m-step-unit", Text),
        col("note", "m-note", Text),
    ],
    content: &["kind", "description", "value", "responsible", "note"],
};
pub(crate) const DOCUMENTS: ListDef = ListDef {
    name: "documents",
    prefix: "doc",
    legend: "mc-doc-n",
    add: "mc-add-doc",
    cols: &[
        col("group", "mc-doc-group", Select(Choice::DocGroup)),
        col("name", "m-doc-name", Text),
        col("issuer", "m-doc-issuer", Text),
        col("originals", "m-doc-originals", Number),
        col("copies", "m-doc-copies", Number),
        col("unit", "m-doc-unit", Text),
        col("note", "m-note", Text),
        col("id_copy", "mc-doc-id-copy", Check),
    ],
    content: &["name", "issuer", "originals", "copies", "note"],
};
pub(crate) const FEES: ListDef = ListDef {
    name: "fees",
    prefix: "fee",
    legend: "mc-fee-n",
    add: "mc-add-fee",
    cols: &[
        col("description", "mc-fee-description", Text),
        col("amount", "mc-fee-amount", Number),
        col("unit", "mc-fee-unit", Select(Choice::FeeUnit)),
        col("base", "mc-fee-base", Text),
        col("per", "mc-fee-per", Text),
        col("note", "m-note", Text),
    ],
    content: &["description", "amount", "base", "per", "note"],
};
pub(crate) const COMPLAINTS: ListDef = ListDef {
    name: "complaints",
    prefix: "complaint",
    legend: "mc-complaint-n",
    add: "mc-add-complaint",
    cols: &[
        col("channel", "mc-complaint-channel", Text),
        col("address", "mc-address", Text),
        col("phone", "mc-phone", Text),
        col("url", "mc-url", Text),
        col("note", "m-note", Text),
    ],
    content: &["channel", "address", "phone", "url", "note"],
};
pub(crate) const FORMS: ListDef = ListDef {
    name: "forms",
    prefix: "form",
    legend: "mc-form-n",
    add: "mc-add-form",
    cols: &[
        col("name", "mc-form-name", Text),
        col("url", "mc-url", Text),
    ],
    content: &["name", "url"],
};

pub(crate) const LISTS: [&ListDef; 7] = [
    &LEGAL,
    &CHANNELS,
    &STEPS,
    &DOCUMENTS,
    &FEES,
    &COMPLAINTS,
    &FORMS,
];

/// The service areas, as ticks.
pub(crate) const AREAS: [&str; 4] = ["central", "regional", "local", "abroad"];

/// At most this many rows in a list: a form is not a bulk import.
const MAX_ROWS: usize = 200;

fn key(prefix: &str, i: usize, name: &str) -> String {
    format!("{prefix}{i}_{name}")
}

fn duration_unit(s: &str) -> Option<DurationUnit> {
    Some(match s {
        "minutes" => DurationUnit::Minutes,
        "hours" => DurationUnit::Hours,
        "days" => DurationUnit::Days,
        "working_days" => DurationUnit::WorkingDays,
        _ => return None,
    })
}

fn unit_value(u: DurationUnit) -> &'static str {
    match u {
        DurationUnit::Minutes => "minutes",
        DurationUnit::Hours => "hours",
        DurationUnit::Days => "days",
        DurationUnit::WorkingDays => "working_days",
    }
}

/// `150`, `1.5`: as a person types it.
fn number_text(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// Rows shown of each list: the manual's and one empty one to fill in.
pub(crate) fn counts_of(m: &Manual) -> HashMap<&'static str, usize> {
    let n = [
        m.legal_bases.len(),
        m.channels.len(),
        m.steps.len(),
        m.documents.len(),
        m.fees.len(),
        m.complaint_channels.len(),
        m.forms.len(),
    ];
    LISTS
        .iter()
        .zip(n)
        .map(|(l, n)| (l.name, (n + 1).min(MAX_ROWS)))
        .collect()
}

/// Rows the form sent of each list (its hidden `…_rows`), one more for the list whose
/// "add a row" button was pressed.
pub(crate) fn counts_from(v: &Values, add: Option<&str>) -> HashMap<&'static str, usize> {
    LISTS
        .iter()
        .map(|l| {
            let n = v
                .get(&format!("{}_rows", l.name))
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(1);
            let n = n + usize::from(add == Some(l.name));
            (l.name, n.clamp(1, MAX_ROWS))
        })
        .collect()
}

/// The form's values of a manual.
pub(crate) fn values_of(m: &Manual) -> Values {
    let mut v = Values::new();
    let mut put = |k: String, x: &str| {
        v.insert(k, x.to_owned());
    };
    let o = |s: &Option<String>| s.clone().unwrap_or_default();
    put("title_th".into(), &m.title_th);
    put("title_en".into(), &m.title_en);
    put("process_name".into(), &m.process_name);
    put("owning_agency".into(), &m.owning_agency);
    put("service_type".into(), &m.service_type);
    put("category".into(), &m.category);
    put("impact_level".into(), &m.impact_level);
    for a in &m.service_areas {
        put(format!("area_{a}"), "on");
    }
    put("statutory_time_law".into(), &o(&m.statutory_time_law));
    put(
        "statutory_value".into(),
        &number_text(m.statutory_time.value),
    );
    put("statutory_unit".into(), unit_value(m.statutory_time.unit));
    put("stats_avg".into(), &m.stats.avg_per_month.to_string());
    put("stats_max".into(), &m.stats.max_per_month.to_string());
    put("stats_min".into(), &m.stats.min_per_month.to_string());
    put("reference_name".into(), &m.reference_name);
    put("criteria".into(), &m.criteria);
    put("simplified".into(), if m.simplified { "yes" } else { "no" });
    if m.no_documents {
        put("no_documents".into(), "on");
    }
    if m.no_fee {
        put("no_fee".into(), "on");
    }
    put("remarks".into(), &o(&m.remarks));
    put("prepared_by".into(), &o(&m.prepared_by));
    put("approved_by".into(), &o(&m.approved_by));
    for (i, l) in m.legal_bases.iter().enumerate() {
        put(key("legal", i, "kind"), &l.kind);
        put(key("legal", i, "name"), &l.name);
        put(
            key("legal", i, "year"),
            &l.year_be.map(|y| y.to_string()).unwrap_or_default(),
        );
        put(key("legal", i, "section"), &o(&l.section));
        put(key("legal", i, "note"), &o(&l.note));
    }
    for (i, c) in m.channels.iter().enumerate() {
        put(key("channel", i, "place"), &c.place);
        put(key("channel", i, "address"), &o(&c.address));
        put(key("channel", i, "phone"), &o(&c.phone));
        put(key("channel", i, "url"), &o(&c.url));
        put(key("channel", i, "hours"), &o(&c.hours_text));
        put(key("channel", i, "note"), &o(&c.note));
    }
    for (i, s) in m.steps.iter().enumerate() {
        put(key("step", i, "kind"), &s.kind);
        put(key("step", i, "description"), &s.description);
        put(key("step", i, "value"), &number_text(s.duration.value));
        put(key("step", i, "unit"), unit_value(s.duration.unit));
        put(key("step", i, "responsible"), &o(&s.responsible));
        put(key("step", i, "note"), &o(&s.note));
    }
    for (i, d) in m.documents.iter().enumerate() {
        put(key("doc", i, "group"), &d.group);
        put(key("doc", i, "name"), &d.name);
        put(key("doc", i, "issuer"), &o(&d.issuer));
        put(key("doc", i, "originals"), &d.originals.to_string());
        put(key("doc", i, "copies"), &d.copies.to_string());
        put(key("doc", i, "unit"), &d.unit);
        put(key("doc", i, "note"), &o(&d.note));
        if d.id_copy {
            put(key("doc", i, "id_copy"), "on");
        }
    }
    for (i, f) in m.fees.iter().enumerate() {
        put(key("fee", i, "description"), &f.description);
        put(key("fee", i, "amount"), &number_text(f.amount));
        put(key("fee", i, "unit"), &f.unit);
        put(key("fee", i, "base"), &o(&f.base));
        put(key("fee", i, "per"), &o(&f.per));
        put(key("fee", i, "note"), &o(&f.note));
    }
    for (i, c) in m.complaint_channels.iter().enumerate() {
        put(key("complaint", i, "channel"), &c.channel);
        put(key("complaint", i, "address"), &o(&c.address));
        put(key("complaint", i, "phone"), &o(&c.phone));
        put(key("complaint", i, "url"), &o(&c.url));
        put(key("complaint", i, "note"), &o(&c.note));
    }
    for (i, f) in m.forms.iter().enumerate() {
        put(key("form", i, "name"), &f.name);
        put(key("form", i, "url"), &o(&f.url));
    }
    v
}

/// Reads the form's fields as text, numbers and ticks, collecting what is not a number.
struct Reader<'a> {
    v: &'a Values,
    problems: Vec<Problem>,
}

impl Reader<'_> {
    fn text(&self, k: &str) -> String {
        self.v
            .get(k)
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    }

    /// The text without the spaces a person may leave around it; `None` when empty.
    fn opt(&self, k: &str) -> Option<String> {
        Some(self.text(k)).filter(|s| !s.is_empty())
    }

    /// Multi-line text as typed, only the line endings made uniform (browsers send
    /// CR LF); a text of nothing but spaces is empty.
    fn area(&self, k: &str) -> String {
        let s = self
            .v
            .get(k)
            .map(|s| s.replace("\r\n", "\n"))
            .unwrap_or_default();
        if s.trim().is_empty() {
            String::new()
        } else {
            s
        }
    }

    fn checked(&self, k: &str) -> bool {
        self.v.get(k).is_some_and(|s| !s.is_empty())
    }

    fn not_a_number(&mut self, k: &str) {
        self.problems.push(Problem::new(
            k,
            "กรุณากรอกเป็นตัวเลข เช่น 15 หรือ 1.5",
            "Type a number, such as 15 or 1.5",
        ));
    }

    /// A number with Thai or Arabic digits and thousands separators; `None` (and a
    /// problem) when it is none, `Some(0)` when empty.
    fn number(&mut self, k: &str) -> f64 {
        let t: String = self
            .text(k)
            .chars()
            .filter(|c| *c != ',')
            .map(|c| match c {
                '๐'..='๙' => char::from_u32(c as u32 - '๐' as u32 + '0' as u32).unwrap_or(c),
                c => c,
            })
            .collect();
        if t.is_empty() {
            return 0.0;
        }
        match t.parse::<f64>() {
            Ok(x) if x.is_finite() => x,
            _ => {
                self.not_a_number(k);
                0.0
            }
        }
    }

    fn whole(&mut self, k: &str) -> i64 {
        let x = self.number(k);
        if x.fract() != 0.0 || x.abs() > 1e12 {
            self.not_a_number(k);
            return 0;
        }
        x as i64
    }

    /// Whether every one of these fields of a row is empty: the row is left out.
    fn blank(&self, prefix: &str, i: usize, names: &[&str]) -> bool {
        names
            .iter()
            .all(|n| self.text(&key(prefix, i, n)).is_empty())
    }

    fn choice(&self, k: &str, c: Choice, default: &str) -> String {
        let t = self.text(k);
        if c.values().contains(&t.as_str()) {
            t
        } else {
            default.to_owned()
        }
    }
}

/// The manual the form describes, on `base` (what the form does not hold: key,
/// department, publication), with the fields that are not numbers where numbers go.
pub(crate) fn manual_from(
    v: &Values,
    counts: &HashMap<&'static str, usize>,
    base: &Manual,
) -> (Manual, Vec<Problem>) {
    let mut r = Reader {
        v,
        problems: Vec::new(),
    };
    let rows = |name: &str| counts.get(name).copied().unwrap_or(1);
    let mut m = base.clone();
    m.title_th = r.text("title_th");
    m.title_en = r.text("title_en");
    m.process_name = r.text("process_name");
    m.owning_agency = r.text("owning_agency");
    m.service_type = r.choice("service_type", Choice::ServiceType, "single_unit");
    m.category = r.choice("category", Choice::Category, "service_other");
    m.impact_level = r.choice("impact_level", Choice::Impact, "general");
    m.service_areas = AREAS
        .iter()
        .filter(|a| r.checked(&format!("area_{a}")))
        .map(|a| (*a).to_owned())
        .collect();
    m.statutory_time_law = r.opt("statutory_time_law");
    m.statutory_time = Span {
        value: r.number("statutory_value"),
        unit: duration_unit(&r.text("statutory_unit")).unwrap_or(DurationUnit::WorkingDays),
    };
    m.stats.avg_per_month = r.whole("stats_avg");
    m.stats.max_per_month = r.whole("stats_max");
    m.stats.min_per_month = r.whole("stats_min");
    m.reference_name = r.text("reference_name");
    m.criteria = r.area("criteria");
    m.simplified = r.text("simplified") == "yes";
    m.no_documents = r.checked("no_documents");
    m.no_fee = r.checked("no_fee");
    m.remarks = Some(r.area("remarks")).filter(|s| !s.is_empty());
    m.prepared_by = r.opt("prepared_by");
    m.approved_by = r.opt("approved_by");

    m.legal_bases = (0..rows("legal"))
        .filter(|i| !r.blank("legal", *i, LEGAL.content))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|i| {
            let year = r.whole(&key("legal", i, "year"));
            LegalBasis {
                kind: r.choice(&key("legal", i, "kind"), Choice::LawKind, "other"),
                name: r.text(&key("legal", i, "name")),
                year_be: i32::try_from(year).ok().filter(|y| *y != 0),
                section: r.opt(&key("legal", i, "section")),
                note: r.opt(&key("legal", i, "note")),
            }
        })
        .collect();
    m.channels = (0..rows("channels"))
        .filter(|i| !r.blank("channel", *i, CHANNELS.content))
        .map(|i| Channel {
            place: r.text(&key("channel", i, "place")),
            address: r.opt(&key("channel", i, "address")),
            phone: r.opt(&key("channel", i, "phone")),
            url: r.opt(&key("channel", i, "url")),
            hours_text: r.opt(&key("channel", i, "hours")),
            note: r.opt(&key("channel", i, "note")),
        })
        .collect();
    m.steps = (0..rows("steps"))
        .filter(|i| !r.blank("step", *i, STEPS.content))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|i| Step {
            kind: r.text(&key("step", i, "kind")),
            description: r.area(&key("step", i, "description")),
            duration: Span {
                value: r.number(&key("step", i, "value")),
                unit: duration_unit(&r.text(&key("step", i, "unit")))
                    .unwrap_or(DurationUnit::Minutes),
            },
            responsible: r.opt(&key("step", i, "responsible")),
            note: r.opt(&key("step", i, "note")),
        })
        .collect();
    m.documents = (0..rows("documents"))
        .filter(|i| kept_row(&r, &DOCUMENTS, *i))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|i| Document {
            group: r.choice(&key("doc", i, "group"), Choice::DocGroup, "other"),
            name: r.text(&key("doc", i, "name")),
            issuer: r.opt(&key("doc", i, "issuer")),
            originals: r.whole(&key("doc", i, "originals")),
            copies: r.whole(&key("doc", i, "copies")),
            unit: r
                .opt(&key("doc", i, "unit"))
                .unwrap_or_else(|| "ฉบับ".to_owned()),
            note: r.opt(&key("doc", i, "note")),
            id_copy: r.checked(&key("doc", i, "id_copy")),
        })
        .collect();
    m.fees = (0..rows("fees"))
        .filter(|i| !r.blank("fee", *i, FEES.content))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|i| Fee {
            description: r.text(&key("fee", i, "description")),
            amount: r.number(&key("fee", i, "amount")),
            unit: r.choice(&key("fee", i, "unit"), Choice::FeeUnit, "baht"),
            base: r.opt(&key("fee", i, "base")),
            per: r.opt(&key("fee", i, "per")),
            note: r.opt(&key("fee", i, "note")),
        })
        .collect();
    m.complaint_channels = (0..rows("complaints"))
        .filter(|i| !r.blank("complaint", *i, COMPLAINTS.content))
        .map(|i| ComplaintChannel {
            channel: r.text(&key("complaint", i, "channel")),
            address: r.opt(&key("complaint", i, "address")),
            phone: r.opt(&key("complaint", i, "phone")),
            url: r.opt(&key("complaint", i, "url")),
            note: r.opt(&key("complaint", i, "note")),
        })
        .collect();
    m.forms = (0..rows("forms"))
        .filter(|i| !r.blank("form", *i, FORMS.content))
        .map(|i| Form {
            name: r.text(&key("form", i, "name")),
            url: r.opt(&key("form", i, "url")),
        })
        .collect();
    let problems = r.problems;
    (m, problems)
}

/// Whether a row of the form makes a row of the manual.
fn kept_row(r: &Reader<'_>, list: &ListDef, i: usize) -> bool {
    !r.blank(list.prefix, i, list.content)
        || (list.prefix == "doc" && r.checked(&key("doc", i, "id_copy")))
}

/// The rows of a list the manual keeps, by their index in the form: a check names a
/// row by its place among the kept rows, the form by its place in the form.
fn kept(v: &Values, counts: &HashMap<&'static str, usize>, list: &ListDef) -> Vec<usize> {
    let r = Reader {
        v,
        problems: Vec::new(),
    };
    (0..counts.get(list.name).copied().unwrap_or(1))
        .filter(|i| kept_row(&r, list, *i))
        .collect()
}

/// Where on the form a check's field is shown: a field's name (`step2_value`), or a
/// list's section (`steps`); a row as the manual counts it is the form's row it came
/// from.
pub(crate) fn locate(field: &str, v: &Values, counts: &HashMap<&'static str, usize>) -> String {
    let row = |list: &ListDef, i: usize| kept(v, counts, list).get(i).copied().unwrap_or(i);
    let indexed = |s: &str| -> Option<(String, usize, String)> {
        let (name, rest) = s.split_once('[')?;
        let (i, rest) = rest.split_once(']')?;
        Some((
            name.to_owned(),
            i.parse().ok()?,
            rest.trim_start_matches('.').to_owned(),
        ))
    };
    match field {
        "statutory_time" => "statutory_value".into(),
        "complaint_channels" => "complaints".into(),
        "legal_bases" => "legal".into(),
        f => match indexed(f) {
            Some((list, i, part)) => match (list.as_str(), part.as_str()) {
                ("steps", "duration") => key("step", row(&STEPS, i), "value"),
                ("documents", _) => key("doc", row(&DOCUMENTS, i), "name"),
                ("fees", "amount") => key("fee", row(&FEES, i), "amount"),
                ("steps", _) => key("step", row(&STEPS, i), "description"),
                ("fees", _) => key("fee", row(&FEES, i), "description"),
                _ => list,
            },
            None => f.to_owned(),
        },
    }
}

/// A field as the template draws it.
pub(crate) struct FieldView {
    pub key: String,
    pub label: String,
    /// `text`, `number`, `area`, `check` or `select`.
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    /// (value, label, selected)
    pub options: Vec<(String, String, bool)>,
    pub errors: String,
    pub warnings: String,
}

impl FieldView {
    pub fn has_error(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn has_warning(&self) -> bool {
        !self.warnings.is_empty()
    }

    /// The ids the field is described by: its error and its warning.
    pub fn described(&self) -> String {
        let mut ids = Vec::new();
        if self.has_error() {
            ids.push(format!("{}-error", self.key));
        }
        if self.has_warning() {
            ids.push(format!("{}-warning", self.key));
        }
        ids.join(" ")
    }
}

/// The messages of a check, by where they are shown.
#[derive(Default)]
pub(crate) struct Notes {
    pub errors: HashMap<String, Vec<String>>,
    pub warnings: HashMap<String, Vec<String>>,
}

impl Notes {
    fn of(map: &HashMap<String, Vec<String>>, k: &str) -> String {
        map.get(k).map(|e| e.join(" · ")).unwrap_or_default()
    }
}

pub(crate) fn field(
    lang: Lang,
    v: &Values,
    notes: &Notes,
    k: String,
    label: &str,
    kind: Kind,
) -> FieldView {
    let value = v.get(&k).cloned().unwrap_or_default();
    let options = match kind {
        Select(c) => {
            let mut o: Vec<(String, String, bool)> = c
                .values()
                .iter()
                .map(|x| ((*x).to_owned(), c.label(lang, x), value == *x))
                .collect();
            // A value from elsewhere (an import) is kept, not silently replaced.
            if !value.is_empty() && !c.values().contains(&value.as_str()) {
                o.push((value.clone(), value.clone(), true));
            }
            o
        }
        _ => Vec::new(),
    };
    FieldView {
        errors: Notes::of(&notes.errors, &k),
        warnings: Notes::of(&notes.warnings, &k),
        label: lang.t(label),
        kind: match kind {
            Text => "text",
            Number => "number",
            Area => "area",
            Check => "check",
            Select(_) => "select",
        },
        checked: !value.is_empty() && kind == Check,
        value,
        options,
        key: k,
    }
}

/// A row of a list.
pub(crate) struct RowView {
    pub legend: String,
    pub fields: Vec<FieldView>,
}

/// A section of the form: a fieldset with fields, perhaps a list of rows, and fields
/// after the list.
pub(crate) struct Section {
    pub id: &'static str,
    pub legend: String,
    pub fields: Vec<FieldView>,
    /// Ticks shown together under a legend of their own (the service areas).
    pub group: Option<(String, Vec<FieldView>)>,
    /// The list's name (for its count and its button), its rows, its button's label.
    pub list: Option<(&'static str, Vec<RowView>, String)>,
    pub after: Vec<FieldView>,
    /// A line shown under the list (the steps' total time).
    pub note: Option<String>,
    pub errors: String,
    pub warnings: String,
}

impl Section {
    pub fn rows(&self) -> usize {
        self.list.as_ref().map_or(0, |l| l.1.len())
    }
}

fn list_rows(
    lang: Lang,
    v: &Values,
    notes: &Notes,
    counts: &HashMap<&'static str, usize>,
    l: &ListDef,
) -> (&'static str, Vec<RowView>, String) {
    let n = counts.get(l.name).copied().unwrap_or(1);
    let rows = (0..n)
        .map(|i| RowView {
            legend: format!("{} {}", lang.t(l.legend), i + 1),
            fields: l
                .cols
                .iter()
                .map(|c| field(lang, v, notes, key(l.prefix, i, c.name), c.label, c.kind))
                .collect(),
        })
        .collect();
    (l.name, rows, lang.t(l.add))
}

/// Every section of the form, in the order of the template.
pub(crate) fn sections(
    lang: Lang,
    v: &Values,
    notes: &Notes,
    counts: &HashMap<&'static str, usize>,
    total: String,
) -> Vec<Section> {
    let f = |k: &str, label: &str, kind: Kind| field(lang, v, notes, k.to_owned(), label, kind);
    let section = |id: &'static str, legend: &str, fields: Vec<FieldView>| Section {
        id,
        legend: lang.t(legend),
        fields,
        group: None,
        list: None,
        after: Vec::new(),
        note: None,
        errors: Notes::of(&notes.errors, id),
        warnings: Notes::of(&notes.warnings, id),
    };
    let with_list = |mut s: Section, l: &ListDef, after: Vec<FieldView>| {
        s.list = Some(list_rows(lang, v, notes, counts, l));
        s.after = after;
        s
    };
    vec![
        section(
            "general",
            "mc-section-general",
            vec![
                f("title_th", "mc-title-th", Text),
                f("title_en", "mc-title-en", Text),
                f("process_name", "m-process", Text),
                f("owning_agency", "m-owner", Text),
                f("service_type", "m-type", Select(Choice::ServiceType)),
                f("category", "m-category", Select(Choice::Category)),
            ],
        ),
        with_list(section("legal", "m-law", Vec::new()), &LEGAL, Vec::new()),
        {
            let mut s = section(
                "impact",
                "mc-section-impact",
                vec![f("impact_level", "m-impact", Select(Choice::Impact))],
            );
            let areas = AREAS
                .iter()
                .map(|a| {
                    let mut x = f(&format!("area_{a}"), "m-area", Check);
                    x.label = crate::pages::manual::label(lang, a);
                    x
                })
                .collect();
            s.group = Some((lang.t("m-area"), areas));
            s
        },
        section(
            "time",
            "mc-section-time",
            vec![
                f("statutory_time_law", "m-statutory-law", Text),
                f("statutory_value", "mc-statutory-value", Number),
                f(
                    "statutory_unit",
                    "mc-duration-unit",
                    Select(Choice::Duration),
                ),
                f("stats_avg", "m-stats-avg", Number),
                f("stats_max", "m-stats-max", Number),
                f("stats_min", "m-stats-min", Number),
                f("reference_name", "m-reference", Text),
            ],
        ),
        with_list(
            section("channels", "m-channels", Vec::new()),
            &CHANNELS,
            Vec::new(),
        ),
        section(
            "criteria-section",
            "m-criteria",
            vec![f("criteria", "m-criteria", Area)],
        ),
        {
            let mut s = with_list(
                section("steps", "m-steps", Vec::new()),
                &STEPS,
                vec![f("simplified", "m-simplified", Select(Choice::Simplified))],
            );
            s.note = Some(format!("{}: {total}", lang.t("m-total")));
            s
        },
        with_list(
            section("documents", "m-documents", Vec::new()),
            &DOCUMENTS,
            vec![f("no_documents", "mc-no-documents", Check)],
        ),
        with_list(
            section("fees", "m-fees", Vec::new()),
            &FEES,
            vec![f("no_fee", "m-no-fee", Check)],
        ),
        with_list(
            section("complaints", "m-complaints", Vec::new()),
            &COMPLAINTS,
            Vec::new(),
        ),
        with_list(section("forms", "m-forms", Vec::new()), &FORMS, Vec::new()),
        section(
            "footer",
            "mc-section-footer",
            vec![
                f("remarks", "m-remarks", Area),
                f("prepared_by", "m-prepared", Text),
                f("approved_by", "m-approved", Text),
            ],
        ),
    ]
}

/// The label of a field the history names (the manual's JSON names).
pub(crate) fn field_label(name: &str) -> &'static str {
    match name {
        "title_th" => "mc-title-th",
        "title_en" => "mc-title-en",
        "process_name" => "m-process",
        "owning_agency" => "m-owner",
        "service_type" => "m-type",
        "category" => "m-category",
        "legal_bases" => "m-law",
        "impact_level" => "m-impact",
        "service_areas" => "m-area",
        "statutory_time_law" => "m-statutory-law",
        "statutory_time" => "m-statutory",
        "stats" => "m-stats",
        "reference_name" => "m-reference",
        "channels" => "m-channels",
        "criteria" => "m-criteria",
        "steps" => "m-steps",
        "simplified" => "m-simplified",
        "documents" => "m-documents",
        "no_documents" => "mc-no-documents",
        "fees" => "m-fees",
        "no_fee" => "m-no-fee",
        "complaint_channels" => "m-complaints",
        "forms" => "m-forms",
        "remarks" => "m-remarks",
        "published_on" => "m-published",
        "prepared_by" => "m-prepared",
        "approved_by" => "m-approved",
        "published_by" => "m-publisher",
        _ => "bo-what",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Manual {
        let all: Vec<Manual> =
            serde_json::from_str(include_str!("../../../../../data/demo/manuals.json")).unwrap();
        all.into_iter().next().unwrap()
    }

    #[test]
    fn a_manual_comes_back_from_its_form_unchanged() {
        let m = demo();
        let v = values_of(&m);
        let (back, problems) = manual_from(&v, &counts_of(&m), &m);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(
            domain::manual_diff::diff(Some(&m), Some(&back)).is_empty(),
            "{:?}",
            domain::manual_diff::diff(Some(&m), Some(&back))
        );
    }

    #[test]
    fn empty_rows_are_left_out_and_numbers_are_checked() {
        let m = demo();
        let mut v = values_of(&m);
        let mut counts = counts_of(&m);
        // One more row, left empty but for its selects: not a step.
        *counts.get_mut("steps").unwrap() += 1;
        v.insert(key("step", m.steps.len() + 1, "unit"), "hours".into());
        v.insert(key("step", 0, "value"), "๓๐".into());
        v.insert(key("fee", 0, "amount"), "ห้าสิบ".into());
        v.insert(key("fee", 0, "description"), "ค่าคำขอ".into());
        let (back, problems) = manual_from(&v, &counts, &m);
        assert_eq!(back.steps.len(), m.steps.len());
        assert_eq!(back.steps[0].duration.value, 30.0);
        assert_eq!(back.fees.len(), 1);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "fee0_amount");
    }

    #[test]
    fn a_check_is_shown_by_the_row_it_came_from() {
        let m = demo();
        let mut v = values_of(&m);
        let counts = counts_of(&m);
        // The first document row left empty: the second kept is the manual's first.
        let d = m.documents.len();
        for c in DOCUMENTS.cols {
            v.remove(&key("doc", 0, c.name));
        }
        v.insert(key("doc", d, "name"), "สำเนาทะเบียนบ้าน".into());
        assert_eq!(locate("documents[0]", &v, &counts), "doc1_name");
        assert_eq!(locate("steps[0].duration", &v, &counts), "step0_value");
        assert_eq!(locate("statutory_time", &v, &counts), "statutory_value");
        assert_eq!(locate("fees", &v, &counts), "fees");
        assert_eq!(locate("complaint_channels", &v, &counts), "complaints");
    }
}
