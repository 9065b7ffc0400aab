//! The satisfaction reports as pages: a form (unit, period, report, area level) and the
//! chosen report in HTML, with its charts and the export links of the API. Also the
//! helpers the poster and comment pages share: the words of `ratings.ftl`, figures in
//! the page's digits, and the units whose reports the caller reads.

use std::collections::{HashMap, HashSet};

use app::reports::{AreaLevel, Node, Performance, Preliminary, Progress, Summary};
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use domain::UnitCode;
use domain::period::Period;
use domain::rating::{Dimension, Score};
use domain::rating_guard::Refusal;
use domain::stats::{NOT_ENOUGH_EN, NOT_ENOUGH_TH, RatingSums, Tally};
use serde::Deserialize;
use tower_sessions::Session;

use super::*;
use crate::charts;

/// Arabic digits to Thai ones on Thai pages, as official reports print figures.
pub(crate) fn digits(lang: Lang, s: &str) -> String {
    match lang {
        Lang::Th => domain::thai_date::thai_digits(s),
        Lang::En => s.to_owned(),
    }
}

/// A count with thousands separators.
pub(crate) fn count(lang: Lang, n: u64) -> String {
    let raw = n.to_string();
    let mut out = String::with_capacity(raw.len() + raw.len() / 3);
    for (i, c) in raw.chars().enumerate() {
        if i > 0 && (raw.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    digits(lang, &out)
}

pub(crate) fn not_enough(lang: Lang) -> &'static str {
    match lang {
        Lang::Th => NOT_ENOUGH_TH,
        Lang::En => NOT_ENOUGH_EN,
    }
}

/// The mean as printed, or "not enough ratings" below the minimum: never a number
/// from too few.
pub(crate) fn mean(lang: Lang, t: &Tally) -> String {
    match t.mean_rounded() {
        Some(h) => digits(lang, &h.to_string()),
        None => not_enough(lang).to_owned(),
    }
}

fn percent(lang: Lang, share: Option<f64>, decimals: usize) -> String {
    match share {
        // A no-break space: the sign never wraps away from its number.
        Some(s) => digits(lang, &format!("{:.*}\u{a0}%", decimals, s * 100.0)),
        None => not_enough(lang).to_owned(),
    }
}

fn band(lang: Lang, t: &Tally) -> String {
    match t.band() {
        Some(b) => lang.pick(b.label_th(), b.label_en()).to_owned(),
        None => not_enough(lang).to_owned(),
    }
}

/// A day as the page writes it: Buddhist era in Thai digits, or the English form that
/// keeps the era beside the year AD.
pub(crate) fn date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Th => digits(lang, &domain::thai_date::short_th(d)),
        Lang::En => domain::thai_date::long_en(d),
    }
}

pub(crate) fn period_label(lang: Lang, p: &Period) -> String {
    match lang {
        Lang::Th => digits(lang, &p.label_th()),
        Lang::En => p.label_en(),
    }
}

pub(crate) fn score_word(lang: Lang, overall: i64) -> String {
    match Score::new(overall) {
        Some(s) => format!(
            "{} {} – {}",
            s.face().emoji,
            digits(lang, &s.to_string()),
            lang.pick(s.word_th(), s.word_en())
        ),
        None => "-".to_owned(),
    }
}

/// The current fiscal year, the period every report form starts with.
pub(crate) fn this_fiscal_year() -> String {
    let today = app::ratings::bangkok_day(Utc::now());
    format!("fy{}", domain::period::fiscal_year_of(today))
}

/// The most units a select lists; a wider scope (a system administrator's) gets a
/// code field instead.
const MAX_CHOICES: usize = 400;

/// The units whose reports the caller reads, each under its parent: the units they
/// hold a role on and everything below, service points included while the list stays
/// short. `None` when even without the points it is too long for a select.
pub(crate) async fn report_units(
    state: &Shared,
    caller: &Caller,
) -> Result<Option<Vec<(String, String)>>, AppError> {
    let tree = state.db.staff_tree().await?;
    let roots: Vec<i64> = if caller.user.is_system_admin {
        tree.units
            .iter()
            .filter(|u| u.parent.is_none())
            .map(|u| u.id)
            .collect()
    } else {
        let codes: HashSet<String> = state
            .db
            .memberships(caller.user.id)
            .await?
            .into_iter()
            .map(|m| m.unit.to_string())
            .collect();
        tree.units
            .iter()
            .filter(|u| codes.contains(&u.code))
            .map(|u| u.id)
            .collect()
    };
    let archived: HashSet<i64> = tree
        .points
        .iter()
        .filter(|p| p.archived_at.is_some())
        .map(|p| p.unit_id)
        .collect();
    let mut children: HashMap<i64, Vec<&storage::TreeUnit>> = HashMap::new();
    for u in &tree.units {
        if let Some(p) = u.parent {
            children.entry(p).or_default().push(u);
        }
    }
    let by_id: HashMap<i64, &storage::TreeUnit> = tree.units.iter().map(|u| (u.id, u)).collect();
    let walk = |with_points: bool| {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        // Depth first, each root's subtree once even when a role below repeats it.
        let mut stack: Vec<(i64, usize)> = roots.iter().rev().map(|r| (*r, 0)).collect();
        while let Some((id, depth)) = stack.pop() {
            let Some(u) = by_id.get(&id) else { continue };
            let point = u.kind == "service_point";
            if !seen.insert(id) || (point && (!with_points || archived.contains(&id))) {
                continue;
            }
            let indent = "\u{a0}\u{a0}".repeat(depth);
            // A point is often named as its office: the code tells them apart.
            out.push((
                u.code.clone(),
                if point {
                    format!("{indent}{} · {}", u.name_th, u.code)
                } else {
                    format!("{indent}{}", u.name_th)
                },
            ));
            if out.len() > MAX_CHOICES {
                return None;
            }
            if let Some(c) = children.get(&id) {
                stack.extend(c.iter().rev().map(|c| (c.id, depth + 1)));
            }
        }
        Some(out)
    };
    Ok(walk(true).or_else(|| walk(false)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ReportForm {
    unit: String,
    period: String,
    kind: String,
    by: String,
    /// The page of child units, from 1.
    child_page: String,
}

/// Child units per page on screen; the exports list them all.
const CHILDREN_PER_PAGE: u32 = 100;

/// "Showing 101–200 of 80,000 units" with the links to the pages around it.
struct Pager {
    label: String,
    prev: Option<String>,
    next: Option<String>,
}

fn pager(lang: Lang, base: &str, page: u32, shown: usize, total: u64) -> Option<Pager> {
    let first = u64::from(page - 1) * u64::from(CHILDREN_PER_PAGE);
    if total <= u64::from(CHILDREN_PER_PAGE) && page == 1 {
        return None;
    }
    let link = |p: u32| format!("{base}&child_page={p}");
    Some(Pager {
        label: lang.t_with(
            "rp-children-shown",
            &[
                ("from", count(lang, (first + 1).min(total))),
                ("to", count(lang, first + shown as u64)),
                ("total", count(lang, total)),
            ],
        ),
        prev: (page > 1).then(|| link(page - 1)),
        next: (first + (shown as u64) < total).then(|| link(page + 1)),
    })
}

/// One dimension's line of a preliminary report: (label, count, mean, share satisfied).
type DimLine = (&'static str, String, String, String);

struct PreView {
    count: String,
    share: String,
    dims: Vec<DimLine>,
    distribution_chart: String,
    /// (score, word, count)
    distribution: Vec<(String, &'static str, String)>,
    trend_chart: String,
    /// (label, count, mean)
    trend: Vec<(String, String, String)>,
    refused: Vec<(&'static str, String)>,
    refused_total: String,
    /// (area, count, mean, share)
    areas: Vec<(String, String, String, String)>,
    is_point: bool,
    /// (service, count, mean)
    services: Vec<(String, String, String)>,
    /// (date, point, score, service, comment)
    comments: Vec<(String, String, String, String, String)>,
    comment_total: String,
    comments_link: String,
}

struct SumLine {
    label: String,
    count: String,
    mean: String,
    sd: String,
    band: String,
    change: String,
}

struct SumView {
    closed: bool,
    previous: String,
    dims: Vec<SumLine>,
    /// (heading, first column, lines): the units right below, then the areas.
    groups: Vec<(String, String, Vec<SumLine>)>,
}

struct PerfLine {
    rank: String,
    name: String,
    points: String,
    shown: String,
    complete: String,
    manuals: String,
    downloaded: String,
    on: String,
    per_point: String,
    findings: String,
    done: String,
}

struct PerfView {
    total: PerfLine,
    children: Vec<PerfLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/reports.html")]
struct ReportsPage {
    l: Layout,
    f: Frame,
    form: ReportForm,
    units: Option<Vec<(String, String)>>,
    error: Option<String>,
    bad_period: bool,
    /// The report's node and period, as the heading names them.
    heading: Option<(String, String)>,
    pre: Option<PreView>,
    sum: Option<SumView>,
    perf: Option<PerfView>,
    pager: Option<Pager>,
    /// `?unit=…&period=…&by=…` of the export links.
    export: String,
}

fn area_level(by: &str) -> AreaLevel {
    match by {
        "district" => AreaLevel::District,
        _ => AreaLevel::Province,
    }
}

fn node_label(node: &Node) -> String {
    format!("{} ({})", node.name, node.code)
}

fn trend_label(lang: Lang, start: NaiveDate, month: bool) -> String {
    let short = domain::thai_date::short_th(start);
    match (lang, month) {
        // "2 พ.ค." and "พ.ค. 2569" from "2 พ.ค. 2569".
        (Lang::Th, false) => digits(lang, short.rsplit_once(' ').map_or(&short, |(a, _)| a)),
        (Lang::Th, true) => digits(lang, short.split_once(' ').map_or(&short, |(_, b)| b)),
        (Lang::En, false) => start.format("%-d %b").to_string(),
        (Lang::En, true) => start.format("%b %Y").to_string(),
    }
}

fn preliminary_view(lang: Lang, r: &Preliminary, query: &str) -> PreView {
    let overall = r.sums.get(Dimension::Overall);
    let dims = Dimension::ALL
        .into_iter()
        .map(|d| {
            let t = r.sums.get(d);
            (
                lang.pick(d.label_th(), d.label_en()),
                count(lang, t.count()),
                mean(lang, t),
                percent(lang, t.share_satisfied(), 1),
            )
        })
        .collect();
    let dist: Vec<(Score, u64)> = overall.distribution().to_vec();
    let distribution_chart = charts::bars(
        &lang.t("rp-chart-distribution"),
        &dist
            .iter()
            .map(|(s, n)| (format!("{} {}", s, lang.pick(s.word_th(), s.word_en())), *n))
            .collect::<Vec<_>>(),
    );
    let trend_points: Vec<(String, Option<f64>, u64)> = r
        .trend
        .iter()
        .map(|p| {
            let t = p.sums.get(Dimension::Overall);
            (
                trend_label(lang, p.start, p.month),
                t.mean_rounded().map(|h| h.as_f64()),
                t.count(),
            )
        })
        .collect();
    let trend_chart = charts::trend(&lang.t("rp-chart-trend"), &trend_points);
    let trend = r
        .trend
        .iter()
        .zip(&trend_points)
        .map(|(p, (label, _, n))| {
            (
                label.clone(),
                count(lang, *n),
                mean(lang, p.sums.get(Dimension::Overall)),
            )
        })
        .collect();
    let refused = Refusal::ALL
        .into_iter()
        .map(|k| {
            (
                lang.pick(k.label_th(), k.label_en()),
                count(lang, r.refused[k.index()]),
            )
        })
        .collect();
    PreView {
        count: count(lang, r.sums.ratings()),
        share: percent(lang, overall.share_satisfied(), 1),
        dims,
        distribution_chart,
        distribution: dist
            .iter()
            .map(|(s, n)| {
                (
                    digits(lang, &s.to_string()),
                    lang.pick(s.word_th(), s.word_en()),
                    count(lang, *n),
                )
            })
            .collect(),
        trend_chart,
        trend,
        refused,
        refused_total: count(lang, r.refused.iter().sum()),
        areas: r.areas.iter().map(|(a, s)| area_line(lang, a, s)).collect(),
        is_point: r.node.kind == "service_point",
        services: r
            .services
            .iter()
            .map(|(title, t)| {
                (
                    title.clone().unwrap_or_else(|| lang.t("rp-service-other")),
                    count(lang, t.count()),
                    mean(lang, t),
                )
            })
            .collect(),
        comments: r
            .comments
            .iter()
            .map(|c| {
                (
                    date(lang, bangkok_date(c.received_at)),
                    c.point_name.clone(),
                    score_word(lang, c.overall),
                    c.manual_title
                        .clone()
                        .unwrap_or_else(|| lang.t("rp-service-other")),
                    c.comment.clone(),
                )
            })
            .collect(),
        comment_total: count(lang, r.comment_total),
        comments_link: format!("/staff/comments{query}"),
    }
}

pub(crate) fn bangkok_date(at: chrono::DateTime<Utc>) -> NaiveDate {
    app::ratings::bangkok_day(at)
}

fn area_line(lang: Lang, area: &str, s: &RatingSums) -> (String, String, String, String) {
    let t = s.get(Dimension::Overall);
    (
        area.to_owned(),
        count(lang, t.count()),
        mean(lang, t),
        percent(lang, t.share_satisfied(), 1),
    )
}

fn sum_line(lang: Lang, label: String, t: &Tally, previous: Option<&Tally>) -> SumLine {
    SumLine {
        label,
        count: count(lang, t.count()),
        mean: mean(lang, t),
        sd: match t.std_dev() {
            Some(sd) => digits(lang, &format!("{sd:.2}")),
            None => not_enough(lang).to_owned(),
        },
        band: band(lang, t),
        change: match previous.and_then(|p| t.change_from(p)) {
            Some(c) => digits(lang, &c.signed()),
            None => "–".to_owned(),
        },
    }
}

fn summary_view(lang: Lang, r: &Summary) -> SumView {
    let overall = |s: &RatingSums| *s.get(Dimension::Overall);
    SumView {
        closed: r.closed,
        previous: period_label(lang, &r.previous_period),
        dims: Dimension::ALL
            .into_iter()
            .map(|d| {
                sum_line(
                    lang,
                    lang.pick(d.label_th(), d.label_en()).to_owned(),
                    r.sums.get(d),
                    Some(r.previous.get(d)),
                )
            })
            .collect(),
        groups: vec![
            (
                lang.t("rp-by-child"),
                lang.t("bo-unit"),
                r.children
                    .iter()
                    .map(|(n, s)| sum_line(lang, node_label(n), &overall(s), None))
                    .collect(),
            ),
            (
                lang.t("rp-by-area"),
                lang.t("rp-area"),
                r.areas
                    .iter()
                    .map(|(a, s)| sum_line(lang, a.clone(), &overall(s), None))
                    .collect(),
            ),
        ],
    }
}

fn perf_line(lang: Lang, rank: String, name: String, g: &Progress) -> PerfLine {
    let n = |v: u64| count(lang, v);
    PerfLine {
        rank,
        name,
        points: n(g.points),
        shown: n(g.shown),
        complete: n(g.complete),
        manuals: n(g.with_expected_manuals),
        downloaded: n(g.posters_downloaded),
        on: n(g.posters_on),
        per_point: g
            .ratings_per_point()
            .map_or_else(|| "–".to_owned(), |v| digits(lang, &format!("{v:.1}"))),
        findings: n(g.findings),
        done: g
            .done()
            .map_or_else(|| "–".to_owned(), |v| percent(lang, Some(v), 0)),
    }
}

fn performance_view(lang: Lang, r: &Performance) -> PerfView {
    PerfView {
        total: perf_line(lang, String::new(), node_label(&r.node), &r.total),
        children: r
            .children
            .iter()
            .enumerate()
            .map(|(i, (n, g))| {
                perf_line(lang, count(lang, r.first_rank + i as u64), node_label(n), g)
            })
            .collect(),
    }
}

pub(crate) async fn reports(
    State(state): State<Shared>,
    session: Session,
    lang: Lang,
    uri: Uri,
    Query(mut form): Query<ReportForm>,
) -> Response {
    let caller = match caller(&state, &session, &uri).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let units = match report_units(&state, &caller).await {
        Ok(u) => u,
        Err(e) => return failure(lang, &uri, &caller, e),
    };
    if form.unit.trim().is_empty()
        && !caller.user.is_system_admin
        && let Some((first, _)) = units.as_ref().and_then(|u| u.first())
    {
        form.unit = first.clone();
    }
    if form.period.trim().is_empty() {
        form.period = this_fiscal_year();
    }
    if !matches!(form.kind.as_str(), "summary" | "performance") {
        form.kind = "preliminary".to_owned();
    }
    if form.by != "district" {
        form.by = "province".to_owned();
    }
    let (l, f) = frame(
        lang,
        &lang.t("rp-reports-title"),
        &uri,
        Menu::Reports,
        &caller,
    );
    let mut page = ReportsPage {
        l,
        f,
        units,
        error: None,
        bad_period: false,
        heading: None,
        pre: None,
        sum: None,
        perf: None,
        pager: None,
        export: String::new(),
        form,
    };
    let period = match Period::parse(&page.form.period) {
        Ok(p) => p,
        Err(p) => {
            page.error = Some(lang.pick(&p.th, &p.en).to_owned());
            page.bad_period = true;
            return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
        }
    };
    let unit = page.form.unit.trim();
    if unit.is_empty() {
        return page.into_response();
    }
    let Ok(code) = UnitCode::parse(unit) else {
        page.error = Some(lang.t("err-unit"));
        return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
    };
    let level = area_level(&page.form.by);
    let enc = super::super::form_urlencoded_component;
    page.export = format!(
        "?unit={code}&period={}&by={}",
        enc(&period.key()),
        page.form.by
    );
    let comments_query = format!("?unit={code}&period={}", enc(&period.key()));
    let child_page = page
        .form
        .child_page
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|p| (1..=10_000).contains(p))
        .unwrap_or(1);
    let children = app::reports::ChildRows::Page {
        page: child_page,
        per_page: CHILDREN_PER_PAGE,
    };
    let page_base = format!("/staff/reports{}&kind={}", page.export, page.form.kind);
    let result = match page.form.kind.as_str() {
        "summary" => app::reports::summary(&state.app, &caller, &code, period, level, children)
            .await
            .map(|r| {
                page.heading = Some((node_label(&r.node), period_label(lang, &r.period)));
                page.pager = pager(
                    lang,
                    &page_base,
                    child_page,
                    r.children.len(),
                    r.child_total,
                );
                page.sum = Some(summary_view(lang, &r));
            }),
        "performance" => app::reports::performance(&state.app, &caller, &code, period, children)
            .await
            .map(|r| {
                page.heading = Some((node_label(&r.node), period_label(lang, &r.period)));
                page.pager = pager(
                    lang,
                    &page_base,
                    child_page,
                    r.children.len(),
                    r.child_total,
                );
                page.perf = Some(performance_view(lang, &r));
            }),
        _ => app::reports::preliminary(&state.app, &caller, &code, period, level)
            .await
            .map(|r| {
                page.heading = Some((node_label(&r.node), period_label(lang, &r.period)));
                page.pre = Some(preliminary_view(lang, &r, &comments_query));
            }),
    };
    match result {
        Ok(()) => super::super::html(&page),
        // The form stays, to choose another unit.
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => {
            let status = if matches!(e, AppError::Forbidden) {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::NOT_FOUND
            };
            page.error = Some(lang.t(if status == StatusCode::FORBIDDEN {
                "forbidden"
            } else {
                "err-unit"
            }));
            page.export.clear();
            (status, page).into_response()
        }
        Err(e) => failure(lang, &uri, &caller, e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(s: &str) -> Vec<&str> {
        let mut k: Vec<&str> = s
            .lines()
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k.trim()))
            .collect();
        k.sort();
        k
    }

    #[test]
    fn the_pager_says_which_children_are_shown_and_links_the_pages_around() {
        assert!(pager(Lang::En, "/r?unit=1", 1, 40, 40).is_none());
        let p = pager(Lang::En, "/r?unit=1", 2, 100, 250).unwrap();
        assert_eq!(p.label, "Showing 101–200 of 250 units");
        assert_eq!(p.prev.as_deref(), Some("/r?unit=1&child_page=1"));
        assert_eq!(p.next.as_deref(), Some("/r?unit=1&child_page=3"));
        let last = pager(Lang::En, "/r?unit=1", 3, 50, 250).unwrap();
        assert_eq!(last.next, None);
        let th = pager(Lang::Th, "/r?unit=1", 3, 50, 250).unwrap();
        assert!(th.label.contains("๒๐๑–๒๕๐"), "{}", th.label);
    }

    #[test]
    fn both_languages_have_every_rating_message() {
        let th = include_str!("../../../../../locales/th/ratings.ftl");
        let en = include_str!("../../../../../locales/en/ratings.ftl");
        assert_eq!(keys(th), keys(en));
        assert!(keys(th).iter().all(|k| k.starts_with("rp-")));
        for k in keys(th) {
            let k: &'static str = Box::leak(k.to_owned().into_boxed_str());
            assert!(!Lang::Th.t(k).is_empty(), "{k}");
            assert!(!Lang::En.t(k).is_empty(), "{k}");
        }
    }

    #[test]
    fn figures_in_the_page_digits() {
        assert_eq!(count(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(count(Lang::En, 999), "999");
        assert_eq!(count(Lang::Th, 1_234), "๑,๒๓๔");
        let four = Tally::from_counts([0, 0, 0, 0, 4], 0);
        assert_eq!(mean(Lang::Th, &four), NOT_ENOUGH_TH);
        assert_eq!(mean(Lang::En, &four), NOT_ENOUGH_EN);
        let five = Tally::from_counts([0, 0, 0, 1, 4], 0);
        assert_eq!(mean(Lang::En, &five), "4.80");
        assert_eq!(mean(Lang::Th, &five), "๔.๘๐");
        assert_eq!(percent(Lang::En, five.share_satisfied(), 1), "100.0\u{a0}%");
    }

    #[test]
    fn trend_labels() {
        let d = NaiveDate::from_ymd_opt(2026, 5, 2).unwrap();
        assert_eq!(trend_label(Lang::Th, d, false), "๒ พ.ค.");
        assert_eq!(trend_label(Lang::Th, d, true), "พ.ค. ๒๕๖๙");
        assert_eq!(trend_label(Lang::En, d, false), "2 May");
        assert_eq!(trend_label(Lang::En, d, true), "May 2026");
    }
}
