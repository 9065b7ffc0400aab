//! The three satisfaction reports as JSON, and as CSV, XLSX or PDF files: the same
//! figures, from the rollups.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use domain::UnitCode;
use domain::period::Period;
use domain::rating::Dimension;
use domain::rating_guard::Refusal;
use domain::stats::{NOT_ENOUGH_EN, NOT_ENOUGH_TH, RatingSums, Tally};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::scope::Staff;
use crate::errors::{ApiError, ApiPath, query_rejection};
use crate::params::{FieldErrors, paging};
use crate::sheets::{self, Cell};
use crate::{Lang, Shared};
use app::reports::{self as use_case, AreaLevel, ChildRows, Node, Progress};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// The node of the tree: a service point, unit, department or ministry (13 digits).
    #[param(pattern = "^[0-9]{13}$")]
    pub unit: String,
    /// `2026-05` (a month), `2026-Q2` (a calendar quarter), `fy2569` (the fiscal year
    /// October 2568 – September 2569 BE), `fy2569-Q1`, or `2026-01-01..2026-03-31`;
    /// the current fiscal year when neither this nor `from`/`to` is given.
    #[param(max_length = 40)]
    pub period: Option<String>,
    /// First day (`YYYY-MM-DD`), with `to`, instead of `period`.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Last day, included.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// Areas by `province` (default) or `district`.
    #[param(pattern = "^(province|district)$")]
    pub by: Option<String>,
    /// The language of file exports' headings: `th` (default) or `en`.
    #[param(pattern = "^(th|en)$")]
    pub lang: Option<String>,
    /// The page of child units in the JSON of `summary` and `performance`, from 1, at
    /// most 10000; files list every child.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 10000)]
    pub page: Option<String>,
    /// Child units per page, 1 to 100 (default 100).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub per_page: Option<String>,
}

/// Child rows per page of a report unless `per_page` says otherwise.
const REPORT_PER_PAGE: &str = "100";

#[derive(Debug, Serialize, ToSchema)]
pub struct NodeOut {
    pub code: String,
    /// `ministry`, `department`, `unit` or `service_point`.
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportPeriod {
    /// As `period` takes it.
    pub key: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub label_th: String,
    pub label_en: String,
}

/// One dimension's figures. `mean`, `std_dev`, `band` and `share_satisfied` are null
/// below 5 ratings ("not enough ratings").
#[derive(Debug, Serialize, ToSchema)]
pub struct DimensionOut {
    /// `overall`, `process`, `staff`, `place`, `result` or `information`.
    pub key: &'static str,
    pub label_th: &'static str,
    pub label_en: &'static str,
    pub count: u64,
    pub not_applicable: u64,
    pub enough: bool,
    pub mean: Option<f64>,
    pub std_dev: Option<f64>,
    /// `highest`, `high`, `moderate`, `low` or `lowest`.
    pub band: Option<&'static str>,
    pub band_th: Option<&'static str>,
    pub share_satisfied: Option<f64>,
    /// The mean less the previous period's (summary only; null unless both have
    /// enough ratings).
    pub change: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountOut {
    pub key: String,
    pub label_th: String,
    pub label_en: String,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupOut {
    pub name: String,
    /// The unit's code (children); null for areas and services.
    pub code: Option<String>,
    pub ratings: u64,
    pub mean: Option<f64>,
    pub band_th: Option<&'static str>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrendOut {
    /// The first day of the day or month.
    pub start: NaiveDate,
    pub ratings: u64,
    pub mean: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentOut {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    pub point_code: String,
    pub point_name: String,
    pub overall: i64,
    pub service: Option<String>,
    /// Masked: phone numbers, citizen IDs and e-mail addresses are hidden.
    pub comment: String,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub replied_by: Option<String>,
    pub mailed: bool,
    pub published: bool,
    /// The citizen left an e-mail address for a reply (never the address itself).
    pub can_mail: bool,
}

/// รายงานเบื้องต้น ความพึงพอใจ.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreliminaryOut {
    pub unit: NodeOut,
    pub period: ReportPeriod,
    pub ratings: u64,
    /// Overall, then the five aspects.
    pub dimensions: Vec<DimensionOut>,
    /// Overall scores, 5 first.
    pub distribution: Vec<CountOut>,
    /// Daily for periods up to 62 days, else monthly.
    pub trend: Vec<TrendOut>,
    pub areas: Vec<GroupOut>,
    /// Per service received (service points only).
    pub services: Vec<GroupOut>,
    /// Submissions not counted, by reason.
    pub refused: Vec<CountOut>,
    pub comments: Vec<CommentOut>,
    pub comment_total: u64,
}

/// รายงานสรุป ความพึงพอใจ.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryOut {
    pub unit: NodeOut,
    pub period: ReportPeriod,
    /// The period has ended: the figures are final.
    pub closed: bool,
    pub previous_period: ReportPeriod,
    pub ratings: u64,
    pub previous_ratings: u64,
    pub dimensions: Vec<DimensionOut>,
    /// The page of child units asked for, in code order.
    pub children: Vec<GroupOut>,
    pub children_total: u64,
    pub areas: Vec<GroupOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressOut {
    pub code: String,
    pub name: String,
    pub points: u64,
    pub shown: u64,
    /// With opening hours, a phone and a photo.
    pub complete: u64,
    pub with_expected_manuals: u64,
    pub posters_downloaded: u64,
    pub posters_on: u64,
    pub findings: u64,
    pub ratings: u64,
    pub ratings_per_point: Option<f64>,
    pub mean: Option<f64>,
    /// The mean of the shares complete, with manuals and with a poster on, 0 to 1.
    pub done: Option<f64>,
}

/// One of the three reports, by the `report` asked for.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ReportOut {
    Preliminary(PreliminaryOut),
    Summary(SummaryOut),
    Performance(PerformanceOut),
}

/// รายงานผลการดำเนินงาน.
#[derive(Debug, Serialize, ToSchema)]
pub struct PerformanceOut {
    pub unit: NodeOut,
    pub period: ReportPeriod,
    pub total: ProgressOut,
    /// The page of child units asked for, ranked: the most done first.
    pub children: Vec<ProgressOut>,
    pub children_total: u64,
    /// The rank of the first child of the page.
    pub first_rank: u64,
}

fn node_out(n: &Node) -> NodeOut {
    NodeOut {
        code: n.code.clone(),
        kind: n.kind.clone(),
        name: n.name.clone(),
    }
}

fn period_out(p: &Period) -> ReportPeriod {
    ReportPeriod {
        key: p.key(),
        from: p.from(),
        to: p.to(),
        label_th: p.label_th(),
        label_en: p.label_en(),
    }
}

fn mean_of(t: &Tally) -> Option<f64> {
    t.mean_rounded().map(|h| h.as_f64())
}

fn dimensions(sums: &RatingSums, previous: Option<&RatingSums>) -> Vec<DimensionOut> {
    sums.summary(previous)
        .into_iter()
        .map(|d| DimensionOut {
            key: d.dimension.key(),
            label_th: d.dimension.label_th(),
            label_en: d.dimension.label_en(),
            count: d.count,
            not_applicable: d.not_applicable,
            enough: d.mean.is_some(),
            mean: d.mean.map(|h| h.as_f64()),
            std_dev: d.std_dev.map(|s| (s * 100.0).round() / 100.0),
            band: d.band.map(|b| b.key()),
            band_th: d.band.map(|b| b.label_th()),
            share_satisfied: d.share_satisfied.map(|s| (s * 1000.0).round() / 1000.0),
            change: d.change.map(|h| h.as_f64()),
        })
        .collect()
}

fn group(name: String, code: Option<String>, sums: &RatingSums) -> GroupOut {
    let t = sums.get(Dimension::Overall);
    GroupOut {
        name,
        code,
        ratings: sums.ratings(),
        mean: mean_of(t),
        band_th: t.band().map(|b| b.label_th()),
    }
}

pub(crate) fn comment_out(c: storage::CommentRow) -> CommentOut {
    CommentOut {
        id: c.rating_id,
        received_at: c.received_at,
        point_code: c.point_code,
        point_name: c.point_name,
        overall: c.overall,
        service: c.manual_title,
        comment: c.comment,
        reply: c.reply,
        replied_at: c.replied_at,
        replied_by: c.replied_by,
        mailed: c.mailed_at.is_some(),
        published: c.published_at.is_some(),
        can_mail: c.can_mail,
    }
}

fn progress_out(n: &Node, g: &Progress) -> ProgressOut {
    ProgressOut {
        code: n.code.clone(),
        name: n.name.clone(),
        points: g.points,
        shown: g.shown,
        complete: g.complete,
        with_expected_manuals: g.with_expected_manuals,
        posters_downloaded: g.posters_downloaded,
        posters_on: g.posters_on,
        findings: g.findings,
        ratings: g.ratings.ratings(),
        ratings_per_point: g.ratings_per_point().map(|r| (r * 100.0).round() / 100.0),
        mean: mean_of(g.ratings.get(Dimension::Overall)),
        done: g.done().map(|d| (d * 1000.0).round() / 1000.0),
    }
}

/// The node, period and area level a request asks for.
pub(crate) fn parse_request(p: &ReportParams) -> Result<(UnitCode, Period, AreaLevel), ApiError> {
    let mut errors = FieldErrors::new();
    let unit = match Some(p.unit.trim()).filter(|u| !u.is_empty()) {
        None => {
            errors.insert(
                "unit".into(),
                vec!["กรุณาระบุรหัสหน่วยงาน / Give the unit's code (unit=)".into()],
            );
            None
        }
        Some(u) => UnitCode::parse(u)
            .map_err(|_| {
                errors.insert(
                    "unit".into(),
                    vec!["รหัสต้องเป็นตัวเลข 13 หลัก / A code has 13 digits".into()],
                );
            })
            .ok(),
    };
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let period = match (text(&p.period), text(&p.from), text(&p.to)) {
        (Some(k), _, _) => Period::parse(&k)
            .map_err(|e| {
                errors.insert("period".into(), vec![format!("{} / {}", e.th, e.en)]);
            })
            .ok(),
        (None, Some(f), Some(t)) => {
            let date = |s: &str, field: &str, errors: &mut FieldErrors| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| {
                        errors.insert(
                            field.into(),
                            vec!["วันที่ต้องเป็น YYYY-MM-DD / A date is YYYY-MM-DD".into()],
                        );
                    })
                    .ok()
            };
            match (date(&f, "from", &mut errors), date(&t, "to", &mut errors)) {
                (Some(f), Some(t)) => Period::dates(f, t)
                    .map_err(|e| {
                        errors.insert(e.field.clone(), vec![format!("{} / {}", e.th, e.en)]);
                    })
                    .ok(),
                _ => None,
            }
        }
        (None, None, None) => {
            let today = app::ratings::bangkok_day(Utc::now());
            Period::fiscal_year(domain::period::fiscal_year_of(today))
        }
        (None, _, _) => {
            errors.insert(
                "from".into(),
                vec!["กรุณาระบุทั้ง from และ to / Give both from and to".into()],
            );
            None
        }
    };
    let level = match p.by.as_deref().map(str::trim) {
        None | Some("") | Some("province") => AreaLevel::Province,
        Some("district") => AreaLevel::District,
        Some(_) => {
            errors.insert(
                "by".into(),
                vec!["ต้องเป็น province หรือ district / province or district".into()],
            );
            AreaLevel::Province
        }
    };
    if let Some(l) = p.lang.as_deref().map(str::trim)
        && !matches!(l, "" | "th" | "en")
    {
        errors.insert("lang".into(), vec!["th หรือ en / th or en".into()]);
    }
    match (unit, period) {
        (Some(u), Some(p)) if errors.is_empty() => Ok((u, p, level)),
        _ => Err(ApiError::invalid(errors)),
    }
}

/// The report and its file format, from the last path segment.
fn kind_of(segment: &str) -> Result<(&str, Option<&str>), ApiError> {
    let (kind, ext) = match segment.split_once('.') {
        Some((k, e)) => (k, Some(e)),
        None => (segment, None),
    };
    if !matches!(kind, "preliminary" | "summary" | "performance")
        || !matches!(ext, None | Some("csv" | "xlsx" | "pdf"))
    {
        return Err(ApiError::not_found(
            "report",
            "ไม่มีรายงานนี้: preliminary, summary หรือ performance (.csv, .xlsx, .pdf) / No such report: preliminary, summary or performance (.csv, .xlsx, .pdf)",
        ));
    }
    Ok((kind, ext))
}

/// A satisfaction report for a node of the tree over a period: `preliminary`
/// (รายงานเบื้องต้น), `summary` (รายงานสรุป) or `performance` (รายงานผลการดำเนินงาน), as
/// JSON, or with `.csv` (UTF-8 with BOM), `.xlsx` or `.pdf` (Sarabun) as a file. Read
/// from the rollups. The caller needs a role on the node or above it.
#[utoipa::path(get, path = "/api/v1/staff/reports/{report}", tag = "staff",
    params(("report" = String, Path, description = "`preliminary`, `summary` or `performance`, optionally with `.csv`, `.xlsx` or `.pdf`",
        pattern = "^(preliminary|summary|performance)(\\.(csv|xlsx|pdf))?$"), ReportParams),
    security(("session" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The report: JSON (PreliminaryOut, SummaryOut or PerformanceOut by `report`), or a file", content(
            (ReportOut = "application/json"),
            ("text/csv"),
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            ("application/pdf"))),
        (status = 400, description = "`invalid_parameter`: no unit, a code not 13 digits, a period or dates refused, `by` not province or district, `page` or `per_page` out of range", body = ApiError),
        (status = 401, description = "`unauthenticated`: no valid session cookie or API token", body = ApiError),
        (status = 403, description = "`forbidden`: no role on the unit or above it", body = ApiError),
        (status = 404, description = "`not_found`: no such report, or no unit has this code", body = ApiError),
    ))]
pub async fn report(
    State(state): State<Shared>,
    staff: Staff,
    ApiPath(segment): ApiPath<String>,
    params: Result<Query<ReportParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let (kind, ext) = kind_of(&segment)?;
    let Query(p) = params.map_err(query_rejection)?;
    let (unit, period, level) = parse_request(&p)?;
    let lang = match p.lang.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Th,
    };
    let per_page = p
        .per_page
        .clone()
        .or_else(|| Some(REPORT_PER_PAGE.to_owned()));
    let (page, per_page) = paging(&p.page, &per_page, lang).map_err(ApiError::invalid)?;
    let children = match ext {
        None => ChildRows::Page {
            page: page as u32,
            per_page: per_page as u32,
        },
        Some(_) => ChildRows::All,
    };
    let (json, doc) = match kind {
        "preliminary" => {
            let r = use_case::preliminary(&state.app, &staff, &unit, period, level).await?;
            let out = preliminary_out(r);
            let doc = preliminary_doc(&out, lang);
            (serde_json::to_value(ReportOut::Preliminary(out)), doc)
        }
        "summary" => {
            let r = use_case::summary(&state.app, &staff, &unit, period, level, children).await?;
            let out = summary_out(r);
            let doc = summary_doc(&out, lang);
            (serde_json::to_value(ReportOut::Summary(out)), doc)
        }
        _ => {
            let r = use_case::performance(&state.app, &staff, &unit, period, children).await?;
            let out = performance_out(r);
            let doc = performance_doc(&out, lang);
            (serde_json::to_value(ReportOut::Performance(out)), doc)
        }
    };
    let name = format!("{kind}-{}-{}", unit, period.key().replace("..", "_"));
    match ext {
        None => Ok(Json(json.map_err(ApiError::internal)?).into_response()),
        Some("csv") => Ok(sheets::attachment(
            doc.csv().map_err(ApiError::internal)?,
            sheets::CSV,
            &format!("{name}.csv"),
        )),
        Some("xlsx") => Ok(sheets::attachment(
            doc.xlsx().map_err(ApiError::internal)?,
            sheets::XLSX,
            &format!("{name}.xlsx"),
        )),
        _ => {
            let pdf = tokio::task::spawn_blocking(move || doc.pdf(lang))
                .await
                .map_err(ApiError::internal)?
                .map_err(ApiError::internal)?;
            Ok(sheets::attachment(
                pdf,
                "application/pdf",
                &format!("{name}.pdf"),
            ))
        }
    }
}

pub(crate) fn preliminary_out(r: use_case::Preliminary) -> PreliminaryOut {
    let overall = r.sums.get(Dimension::Overall);
    PreliminaryOut {
        unit: node_out(&r.node),
        period: period_out(&r.period),
        ratings: r.sums.ratings(),
        dimensions: dimensions(&r.sums, None),
        distribution: overall
            .distribution()
            .iter()
            .map(|(s, n)| CountOut {
                key: s.to_string(),
                label_th: s.word_th().into(),
                label_en: s.word_en().into(),
                count: *n,
            })
            .collect(),
        trend: r
            .trend
            .iter()
            .map(|t| TrendOut {
                start: t.start,
                ratings: t.sums.ratings(),
                mean: mean_of(t.sums.get(Dimension::Overall)),
            })
            .collect(),
        areas: r
            .areas
            .iter()
            .map(|(a, s)| group(a.clone(), None, s))
            .collect(),
        services: r
            .services
            .iter()
            .map(|(title, t)| {
                let mut s = RatingSums::default();
                s.set(Dimension::Overall, *t);
                group(
                    title.clone().unwrap_or_else(|| "อื่น ๆ / Other".into()),
                    None,
                    &s,
                )
            })
            .collect(),
        refused: Refusal::ALL
            .iter()
            .map(|why| CountOut {
                key: why.key().into(),
                label_th: why.label_th().into(),
                label_en: why.label_en().into(),
                count: r.refused[why.index()],
            })
            .collect(),
        comments: r.comments.into_iter().map(comment_out).collect(),
        comment_total: r.comment_total,
    }
}

pub(crate) fn summary_out(r: use_case::Summary) -> SummaryOut {
    SummaryOut {
        unit: node_out(&r.node),
        period: period_out(&r.period),
        closed: r.closed,
        previous_period: period_out(&r.previous_period),
        ratings: r.sums.ratings(),
        previous_ratings: r.previous.ratings(),
        dimensions: dimensions(&r.sums, Some(&r.previous)),
        children: r
            .children
            .iter()
            .map(|(n, s)| group(n.name.clone(), Some(n.code.clone()), s))
            .collect(),
        children_total: r.child_total,
        areas: r
            .areas
            .iter()
            .map(|(a, s)| group(a.clone(), None, s))
            .collect(),
    }
}

pub(crate) fn performance_out(r: use_case::Performance) -> PerformanceOut {
    PerformanceOut {
        unit: node_out(&r.node),
        period: period_out(&r.period),
        total: progress_out(&r.node, &r.total),
        children: r.children.iter().map(|(n, g)| progress_out(n, g)).collect(),
        children_total: r.child_total,
        first_rank: r.first_rank,
    }
}

/// A report as tables, for the files.
pub(crate) struct Doc {
    title: String,
    subtitle: Vec<String>,
    sections: Vec<(String, Vec<String>, Vec<Vec<Cell>>)>,
}

fn pick(lang: Lang, th: &str, en: &str) -> String {
    if lang == Lang::Th { th } else { en }.to_owned()
}

fn num(v: Option<f64>, lang: Lang) -> Cell {
    match v {
        Some(v) => Cell::Number(v),
        None => Cell::Text(pick(lang, NOT_ENOUGH_TH, NOT_ENOUGH_EN)),
    }
}

fn count(n: u64) -> Cell {
    Cell::Number(n as f64)
}

fn dimension_table(
    lang: Lang,
    dims: &[DimensionOut],
    with_change: bool,
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut headers = vec![
        pick(lang, "ด้าน", "Dimension"),
        pick(lang, "จำนวน", "Count"),
        pick(lang, "ไม่เกี่ยวข้อง", "Not applicable"),
        pick(lang, "ค่าเฉลี่ย", "Mean"),
        pick(lang, "ส่วนเบี่ยงเบนมาตรฐาน", "S.D."),
        pick(lang, "ระดับ", "Level"),
        pick(lang, "ร้อยละพอใจ (4–5)", "% satisfied (4–5)"),
    ];
    if with_change {
        headers.push(pick(lang, "เปลี่ยนแปลง", "Change"));
    }
    let rows = dims
        .iter()
        .map(|d| {
            let mut row = vec![
                Cell::Text(pick(lang, d.label_th, d.label_en)),
                count(d.count),
                count(d.not_applicable),
                num(d.mean, lang),
                num(d.std_dev, lang),
                Cell::Text(
                    d.band
                        .and_then(domain::stats::Band::from_key)
                        .map(|b| pick(lang, b.label_th(), b.label_en()))
                        .unwrap_or_else(|| "-".into()),
                ),
                num(d.share_satisfied.map(|s| (s * 1000.0).round() / 10.0), lang),
            ];
            if with_change {
                row.push(match d.change {
                    Some(c) => Cell::Number(c),
                    None => Cell::Text("-".into()),
                });
            }
            row
        })
        .collect();
    (headers, rows)
}

fn groups_table(
    lang: Lang,
    first: (&str, &str),
    items: &[GroupOut],
) -> (Vec<String>, Vec<Vec<Cell>>) {
    (
        vec![
            pick(lang, first.0, first.1),
            pick(lang, "จำนวน", "Ratings"),
            pick(lang, "ค่าเฉลี่ยโดยรวม", "Overall mean"),
            pick(lang, "ระดับ", "Level"),
        ],
        items
            .iter()
            .map(|g| {
                vec![
                    Cell::Text(match &g.code {
                        Some(c) => format!("{} ({c})", g.name),
                        None => g.name.clone(),
                    }),
                    count(g.ratings),
                    num(g.mean, lang),
                    Cell::Text(g.band_th.unwrap_or("-").into()),
                ]
            })
            .collect(),
    )
}

fn header_lines(lang: Lang, unit: &NodeOut, period: &ReportPeriod) -> Vec<String> {
    vec![
        format!("{} ({})", unit.name, unit.code),
        if lang == Lang::Th {
            period.label_th.clone()
        } else {
            period.label_en.clone()
        },
    ]
}

fn preliminary_doc(r: &PreliminaryOut, lang: Lang) -> Doc {
    let (h, rows) = dimension_table(lang, &r.dimensions, false);
    let mut sections = vec![(pick(lang, "ความพึงพอใจรายด้าน", "By dimension"), h, rows)];
    sections.push((
        pick(
            lang,
            "การกระจายของคะแนนโดยรวม",
            "Distribution of overall scores",
        ),
        vec![pick(lang, "ระดับ", "Level"), pick(lang, "จำนวน", "Count")],
        r.distribution
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(pick(lang, &c.label_th, &c.label_en)),
                    count(c.count),
                ]
            })
            .collect(),
    ));
    sections.push((
        pick(lang, "แนวโน้ม", "Trend"),
        vec![
            pick(lang, "ช่วง", "From"),
            pick(lang, "จำนวน", "Ratings"),
            pick(lang, "ค่าเฉลี่ย", "Mean"),
        ],
        r.trend
            .iter()
            .map(|t| {
                vec![
                    Cell::Text(if lang == Lang::Th {
                        domain::thai_date::short_th(t.start)
                    } else {
                        t.start.to_string()
                    }),
                    count(t.ratings),
                    num(t.mean, lang),
                ]
            })
            .collect(),
    ));
    let (h, rows) = groups_table(lang, ("พื้นที่", "Area"), &r.areas);
    sections.push((pick(lang, "รายพื้นที่", "By area"), h, rows));
    if !r.services.is_empty() {
        let (h, rows) = groups_table(lang, ("งานบริการ", "Service"), &r.services);
        sections.push((pick(lang, "รายงานบริการ", "By service"), h, rows));
    }
    sections.push((
        pick(lang, "การส่งที่ไม่ถูกนับ", "Submissions not counted"),
        vec![pick(lang, "เหตุผล", "Reason"), pick(lang, "จำนวน", "Count")],
        r.refused
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(pick(lang, &c.label_th, &c.label_en)),
                    count(c.count),
                ]
            })
            .collect(),
    ));
    sections.push((
        pick(lang, "ความคิดเห็นล่าสุด", "Latest comments"),
        vec![
            pick(lang, "วันที่", "Date"),
            pick(lang, "จุดบริการ", "Service point"),
            pick(lang, "คะแนน", "Score"),
            pick(lang, "ความคิดเห็น", "Comment"),
            pick(lang, "คำตอบ", "Reply"),
        ],
        r.comments
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(domain::thai_date::short_th(
                        c.received_at
                            .with_timezone(&domain::hours::bangkok())
                            .date_naive(),
                    )),
                    Cell::Text(c.point_name.clone()),
                    Cell::Number(c.overall as f64),
                    Cell::Text(c.comment.clone()),
                    Cell::Text(c.reply.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    ));
    let mut subtitle = header_lines(lang, &r.unit, &r.period);
    subtitle.push(format!(
        "{}: {}",
        pick(lang, "จำนวนผู้ประเมิน", "Ratings"),
        r.ratings
    ));
    Doc {
        title: pick(
            lang,
            "รายงานเบื้องต้น ความพึงพอใจ",
            "Preliminary satisfaction report",
        ),
        subtitle,
        sections,
    }
}

fn summary_doc(r: &SummaryOut, lang: Lang) -> Doc {
    let (h, rows) = dimension_table(lang, &r.dimensions, true);
    let mut sections = vec![(pick(lang, "ความพึงพอใจรายด้าน", "By dimension"), h, rows)];
    let (h, rows) = groups_table(lang, ("หน่วยงาน", "Unit"), &r.children);
    sections.push((pick(lang, "รายหน่วยงาน", "By unit"), h, rows));
    let (h, rows) = groups_table(lang, ("พื้นที่", "Area"), &r.areas);
    sections.push((pick(lang, "รายพื้นที่", "By area"), h, rows));
    let mut subtitle = header_lines(lang, &r.unit, &r.period);
    subtitle.push(format!(
        "{}: {} · {} {}: {}",
        pick(lang, "จำนวนผู้ประเมิน", "Ratings"),
        r.ratings,
        pick(lang, "เทียบกับ", "compared with"),
        if lang == Lang::Th {
            &r.previous_period.label_th
        } else {
            &r.previous_period.label_en
        },
        r.previous_ratings
    ));
    if !r.closed {
        subtitle.push(pick(
            lang,
            "ช่วงเวลานี้ยังไม่สิ้นสุด ตัวเลขอาจเปลี่ยนแปลง",
            "This period has not ended yet: the figures may change",
        ));
    }
    Doc {
        title: pick(lang, "รายงานสรุป ความพึงพอใจ", "Satisfaction summary report"),
        subtitle,
        sections,
    }
}

fn performance_doc(r: &PerformanceOut, lang: Lang) -> Doc {
    let headers = vec![
        pick(lang, "อันดับ", "Rank"),
        pick(lang, "หน่วยงาน", "Unit"),
        pick(lang, "จุดบริการ", "Points"),
        pick(lang, "เผยแพร่", "Shown"),
        pick(lang, "ข้อมูลครบ", "Complete"),
        pick(lang, "มีคู่มือที่กำหนด", "With manuals"),
        pick(lang, "ดาวน์โหลดป้าย", "Posters downloaded"),
        pick(lang, "ป้ายเปิดรับ", "Posters on"),
        pick(lang, "ผู้ประเมินต่อจุด", "Ratings per point"),
        pick(lang, "ข้อค้นพบ", "Findings"),
        pick(lang, "ความคืบหน้า (%)", "Done (%)"),
    ];
    let row = |rank: String, g: &ProgressOut| {
        vec![
            Cell::Text(rank),
            Cell::Text(format!("{} ({})", g.name, g.code)),
            count(g.points),
            count(g.shown),
            count(g.complete),
            count(g.with_expected_manuals),
            count(g.posters_downloaded),
            count(g.posters_on),
            g.ratings_per_point
                .map_or(Cell::Text("-".into()), Cell::Number),
            count(g.findings),
            g.done.map_or(Cell::Text("-".into()), |d| {
                Cell::Number((d * 1000.0).round() / 10.0)
            }),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = r
        .children
        .iter()
        .enumerate()
        .map(|(i, g)| row((r.first_rank + i as u64).to_string(), g))
        .collect();
    rows.push(row(pick(lang, "รวม", "Total"), &r.total));
    Doc {
        title: pick(lang, "รายงานผลการดำเนินงาน", "Performance report"),
        subtitle: header_lines(lang, &r.unit, &r.period),
        sections: vec![(pick(lang, "รายหน่วยงาน", "By unit"), headers, rows)],
    }
}

impl Doc {
    /// Every section under its heading, a blank line between.
    fn flat(&self) -> (Vec<String>, Vec<Vec<Cell>>) {
        let width = self.sections.iter().map(|s| s.1.len()).max().unwrap_or(1);
        let pad = |mut v: Vec<Cell>| {
            while v.len() < width {
                v.push(Cell::Text(String::new()));
            }
            v
        };
        let mut rows = Vec::new();
        for line in &self.subtitle {
            rows.push(pad(vec![Cell::Text(line.clone())]));
        }
        for (heading, headers, body) in &self.sections {
            rows.push(pad(Vec::new()));
            rows.push(pad(vec![Cell::Text(heading.clone())]));
            rows.push(pad(headers.iter().cloned().map(Cell::Text).collect()));
            for r in body {
                rows.push(pad(r.to_vec()));
            }
        }
        let mut top = vec![self.title.clone()];
        top.resize(width, String::new());
        (top, rows)
    }

    fn csv(&self) -> Result<Vec<u8>, csv::Error> {
        let (top, rows) = self.flat();
        let top: Vec<&str> = top.iter().map(String::as_str).collect();
        sheets::csv(&top, &rows)
    }

    fn xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let (top, rows) = self.flat();
        let top: Vec<&str> = top.iter().map(String::as_str).collect();
        sheets::xlsx(
            "Report",
            &top,
            &rows,
            &[(0, 40.0), (1, 14.0), (2, 14.0), (3, 14.0)],
        )
    }

    fn pdf(self, lang: Lang) -> Result<Vec<u8>, String> {
        let thai = |s: String| {
            if lang == Lang::Th {
                domain::thai_date::thai_digits(&s)
            } else {
                s
            }
        };
        let doc = poster::ReportDocument {
            title: self.title,
            subtitle: self.subtitle.into_iter().map(thai).collect(),
            sections: self
                .sections
                .into_iter()
                .map(|(heading, headers, rows)| {
                    let numeric = rows
                        .first()
                        .map(|r| r.iter().map(|c| matches!(c, Cell::Number(_))).collect())
                        .unwrap_or_default();
                    poster::ReportSection {
                        heading,
                        note: None,
                        table: poster::ReportTable {
                            headers,
                            rows: rows
                                .into_iter()
                                .map(|r| r.into_iter().map(|c| thai(c.text())).collect())
                                .collect(),
                            numeric,
                        },
                    }
                })
                .collect(),
            footer: "CITIZENinfo".into(),
        };
        poster::report_pdf(&doc).map_err(|e| e.to_string())
    }
}
