use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use domain::Manual;
use domain::manual::{Document, Span};
use serde::Deserialize;

use super::{Layout, error_page};
use crate::views;
use crate::{Lang, Shared};

#[derive(Template, WebTemplate)]
#[template(path = "manual.html")]
pub(crate) struct ManualPage {
    l: Layout,
    m: Manual,
    owner: String,
    service_type: String,
    category: String,
    impact: String,
    areas: String,
    statutory: String,
    /// (no., kind, description, duration, responsible)
    steps: Vec<(usize, String, String, String, String)>,
    total: String,
    documents: Vec<(String, Vec<(usize, Document)>)>,
    fees: Vec<String>,
    published: String,
    points: Vec<(String, String)>,
}

fn span(lang: Lang, s: Span) -> String {
    let unit = match lang {
        Lang::Th => s.unit.label_th(),
        Lang::En => s.unit.label_en(),
    };
    format!("{} {unit}", s.value_text())
}

/// The template's Thai wording of each coded value.
pub(crate) fn label(lang: Lang, value: &str) -> String {
    let (th, en) = match value {
        "single_unit" => (
            "กระบวนงานบริการที่เบ็ดเสร็จในหน่วยเดียว",
            "Completed within one agency",
        ),
        "multi_unit" => (
            "กระบวนงานบริการที่เบ็ดเสร็จในหลายหน่วยงาน",
            "Completed across several agencies",
        ),
        "registration" => ("จดทะเบียน", "Registration"),
        "license" => ("อนุญาต/ออกใบอนุญาต/รับรอง", "Permit, licence, certification"),
        "enrolment" => ("ขึ้นทะเบียน", "Enrolment"),
        "notification" => ("รับแจ้ง", "Notification"),
        "approval" => ("อนุมัติ", "Approval"),
        "service_other" => ("ให้บริการ/อื่น ๆ", "Service, other"),
        "general" => ("บริการทั่วไป", "General service"),
        "economic_social" => (
            "บริการที่มีความสำคัญด้านเศรษฐกิจ/สังคม",
            "Economically or socially important",
        ),
        "central" => ("ส่วนกลาง", "Central"),
        "regional" => ("ส่วนภูมิภาค", "Regional"),
        "local" => ("ส่วนท้องถิ่น", "Local"),
        "abroad" => ("ต่างประเทศ", "Abroad"),
        other => (other, other),
    };
    lang.pick(th, en).to_owned()
}

pub(crate) async fn page(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let dir = state.directory();
    let Some(m) = id.trim().parse::<i64>().ok().and_then(|id| dir.manual(id)) else {
        return error_page(StatusCode::NOT_FOUND, lang, &uri, lang.t("err-id"));
    };
    let owner = dir
        .breadcrumbs(m.owner_department_code.as_str())
        .iter()
        .map(|u| lang.pick(&u.unit.name_th, &u.unit.name_en).to_owned())
        .rev()
        .collect::<Vec<_>>()
        .join(" ");
    let statutory = if m.statutory_time.value > 0.0 {
        span(lang, m.statutory_time)
    } else {
        lang.t("m-statutory-none")
    };
    let steps = m
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let detail = match &s.note {
                Some(n) => format!("{} ({n})", s.description),
                None => s.description.clone(),
            };
            (
                i + 1,
                s.kind.clone(),
                detail,
                span(lang, s.duration),
                s.responsible.clone().unwrap_or_default(),
            )
        })
        .collect();
    let total = span(lang, m.total_time());
    let group = |g: &str| {
        m.documents
            .iter()
            .filter(|d| d.group == g)
            .cloned()
            .enumerate()
            .map(|(i, d)| (i + 1, d))
            .collect::<Vec<_>>()
    };
    let documents = vec![
        (
            format!("15.1 {}", lang.t("m-docs-identity")),
            group("identity"),
        ),
        (format!("15.2 {}", lang.t("m-docs-other")), group("other")),
    ];
    let fees = m
        .fees
        .iter()
        .map(|f| {
            let amount = if f.amount.fract() == 0.0 {
                format!("{}", f.amount as i64)
            } else {
                format!("{}", f.amount)
            };
            let unit = if f.unit == "percent" {
                "%".to_owned()
            } else {
                lang.pick("บาท", "baht").to_owned()
            };
            let mut s = format!("{} {amount} {unit}", f.description);
            if let Some(per) = &f.per {
                s.push_str(&format!(" / {per}"));
            }
            if let Some(n) = &f.note {
                s.push_str(&format!(" ({n})"));
            }
            s
        })
        .collect();
    let page = ManualPage {
        l: Layout::new(lang, lang.pick(&m.title_th, &m.title_en).to_owned(), &uri),
        owner,
        service_type: label(lang, &m.service_type),
        category: label(lang, &m.category),
        impact: label(lang, &m.impact_level),
        areas: m
            .service_areas
            .iter()
            .map(|a| label(lang, a))
            .collect::<Vec<_>>()
            .join(", "),
        statutory,
        steps,
        total,
        documents,
        fees,
        published: m
            .published_on
            .map(|d| views::date(lang, d))
            .unwrap_or_else(|| "-".into()),
        points: dir
            .manual_points(m.id)
            .map(|p| {
                (
                    format!("/sp/{}", p.point.code),
                    lang.pick(&p.point.name_th, &p.point.name_en).to_owned(),
                )
            })
            .collect(),
        m: m.clone(),
    };
    page.into_response()
}

#[derive(Deserialize)]
pub(crate) struct ListParams {
    q: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "manuals.html")]
pub(crate) struct ManualList {
    l: Layout,
    q: String,
    /// (url, title, agency, service points)
    items: Vec<(String, String, String, usize)>,
}

pub(crate) async fn list(
    State(state): State<Shared>,
    lang: Lang,
    uri: Uri,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> ManualList {
    let q: String = params
        .ok()
        .and_then(|Query(p)| p.q)
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect();
    let dir = state.directory();
    let items = dir
        .search_manuals(&q)
        .into_iter()
        .map(|i| {
            let m = &dir.manuals[i];
            (
                format!("/manuals/{}", m.id),
                lang.pick(&m.title_th, &m.title_en).to_owned(),
                m.owning_agency.clone(),
                dir.manual_points(m.id).count(),
            )
        })
        .collect();
    ManualList {
        l: Layout::new(lang, lang.t("all-manuals"), &uri),
        q,
        items,
    }
}
