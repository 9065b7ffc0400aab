//! The three satisfaction reports for any node of the tree, over a period: the
//! preliminary report (รายงานเบื้องต้น), the summary (รายงานสรุป) and the performance
//! report (รายงานผลการดำเนินงาน). Ratings are read from the rollups only, a few rows
//! per month whatever the number of ratings.

use chrono::{Datelike, NaiveDate, Utc};
use domain::UnitCode;
use domain::period::{Grain, Period};
use domain::quality::Check;
use domain::rating_guard::Refusals;
use domain::roles::Right;
use domain::stats::{RatingSums, Tally};
use std::collections::{BTreeMap, HashMap, HashSet};
use storage::{CommentRow, DAY_GRAIN, MONTH_GRAIN, Rollup, RollupGroup};

use crate::backoffice::Filter;
use crate::{App, AppError, Caller, Result};

/// Periods up to this many days have a daily trend; longer ones a monthly one.
const DAILY_TREND_DAYS: i64 = 62;
/// The comments a preliminary report shows.
const LATEST_COMMENTS: i64 = 10;

/// A node of the tree a report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub id: i64,
    pub code: String,
    pub kind: String,
    pub name: String,
}

/// How the areas of a report are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AreaLevel {
    #[default]
    Province,
    District,
}

/// One point of a trend: its first day, and the ratings of its day or month.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    pub start: NaiveDate,
    /// A day (`false`) or a month (`true`).
    pub month: bool,
    pub sums: RatingSums,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Preliminary {
    pub node: Node,
    pub period: Period,
    pub sums: RatingSums,
    pub refused: Refusals,
    pub trend: Vec<TrendPoint>,
    /// Province or district → its ratings.
    pub areas: Vec<(String, RatingSums)>,
    /// For a service point: the overall scores per service received (its manual's
    /// title, `None` for "other").
    pub services: Vec<(Option<String>, Tally)>,
    pub comments: Vec<CommentRow>,
    /// Every comment of the period, counted from the rollups.
    pub comment_total: u64,
}

/// A page of a node's comments.
#[derive(Debug, Clone, PartialEq)]
pub struct Comments {
    pub node: Node,
    pub rows: Vec<CommentRow>,
    /// Another page follows.
    pub more: bool,
    /// Every comment of the period, answered or not (from the rollups).
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub node: Node,
    pub period: Period,
    /// Ended before today: the figures will not change.
    pub closed: bool,
    pub sums: RatingSums,
    pub previous_period: Period,
    pub previous: RatingSums,
    /// The children asked for (all, or one page in code order).
    pub children: Vec<(Node, RatingSums)>,
    /// How many children the node has.
    pub child_total: u64,
    pub areas: Vec<(String, RatingSums)>,
}

/// Which of a node's children a report lists: a department may hold 80,000 offices,
/// which a file export lists and a screen pages through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildRows {
    All,
    /// Page `page` (from 1) of `per_page` rows.
    Page {
        page: u32,
        per_page: u32,
    },
}

impl ChildRows {
    /// The rows of a page within `n` rows.
    fn range(self, n: usize) -> std::ops::Range<usize> {
        match self {
            ChildRows::All => 0..n,
            ChildRows::Page { page, per_page } => {
                let per = per_page as usize;
                let from = (page.max(1) as usize - 1).saturating_mul(per).min(n);
                from..from.saturating_add(per).min(n)
            }
        }
    }
}

/// Figures of one part of the tree for the performance report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub points: u64,
    pub shown: u64,
    /// With hours, a phone and a photo.
    pub complete: u64,
    /// With every manual the department expects pinned.
    pub with_expected_manuals: u64,
    pub posters_downloaded: u64,
    pub posters_on: u64,
    pub findings: u64,
    pub ratings: RatingSums,
}

impl Progress {
    pub fn ratings_per_point(&self) -> Option<f64> {
        (self.points > 0).then(|| self.ratings.ratings() as f64 / self.points as f64)
    }

    /// The share of the rollout done, 0 to 1: the mean of the shares of points
    /// complete, with their manuals, and with a poster downloaded and on.
    pub fn done(&self) -> Option<f64> {
        (self.points > 0).then(|| {
            let n = self.points as f64;
            (self.complete as f64 / n
                + self.with_expected_manuals as f64 / n
                + self.posters_on.min(self.posters_downloaded) as f64 / n)
                / 3.0
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Performance {
    pub node: Node,
    pub period: Period,
    pub total: Progress,
    /// Ranked: the most done first; all, or one page of the ranking.
    pub children: Vec<(Node, Progress)>,
    /// How many children the node has; the rank of `children[0]` is
    /// `first_rank`.
    pub child_total: u64,
    pub first_rank: u64,
}

/// The node `code` names, once the caller may read its reports.
pub async fn node(app: &App, caller: &Caller, code: &UnitCode) -> Result<Node> {
    caller.require(app, code, Right::Report).await?;
    let chain = app
        .db
        .unit_chain_named(code)
        .await?
        .ok_or(AppError::NotFound("unit"))?;
    let (id, c, kind, name) = chain.into_iter().next().ok_or(AppError::NotFound("unit"))?;
    Ok(Node {
        id,
        code: c.to_string(),
        kind,
        name,
    })
}

/// The rollup rows of `unit` in the period (whole months from monthly rows), summed
/// by the database per day or month, or per area.
async fn rows_by(app: &App, unit: i64, period: &Period, group: RollupGroup) -> Result<Vec<Rollup>> {
    let mut out = Vec::new();
    for span in period.spans() {
        let grain = grain_of(span.grain);
        out.extend(
            app.db
                .rollups_grouped(unit, grain, span.from, span.to, group)
                .await?,
        );
    }
    Ok(out)
}

/// The period's rows per day or month: what totals and trends are made of.
async fn rows(app: &App, unit: i64, period: &Period) -> Result<Vec<Rollup>> {
    rows_by(app, unit, period, RollupGroup::Start).await
}

/// Whose ratings [`sums_by_unit`] sums.
#[derive(Clone, Copy)]
enum Units<'a> {
    /// Each unit right below this one: a department with thousands of offices is a few
    /// grouped statements.
    ChildrenOf(i64),
    /// These units alone (a page of children).
    These(&'a [i64]),
}

/// The ratings of each unit over the period, summed by the database per span.
async fn sums_by_unit(
    app: &App,
    units: Units<'_>,
    period: &Period,
) -> Result<HashMap<i64, RatingSums>> {
    let mut out: HashMap<i64, RatingSums> = HashMap::new();
    for span in period.spans() {
        let grain = grain_of(span.grain);
        let rows = match units {
            Units::ChildrenOf(parent) => {
                app.db
                    .child_rollups(parent, grain, span.from, span.to)
                    .await?
            }
            Units::These(ids) => app.db.unit_rollups(ids, grain, span.from, span.to).await?,
        };
        for (unit, sums, _, _) in rows {
            out.entry(unit).or_default().merge(&sums);
        }
    }
    Ok(out)
}

fn grain_of(grain: Grain) -> i64 {
    match grain {
        Grain::Day => DAY_GRAIN,
        Grain::Month => MONTH_GRAIN,
    }
}

fn total(rows: &[Rollup]) -> (RatingSums, Refusals) {
    let mut sums = RatingSums::default();
    let mut refused = [0u64; 5];
    for r in rows {
        sums.merge(&r.sums);
        for (t, n) in refused.iter_mut().zip(r.refused) {
            *t += n;
        }
    }
    (sums, refused)
}

/// The rows summed per province or district, in name order.
pub fn by_area(rows: &[Rollup], level: AreaLevel) -> Vec<(String, RatingSums)> {
    let mut m: BTreeMap<String, RatingSums> = BTreeMap::new();
    for r in rows {
        let (province, district) = r.area.split_once('/').unwrap_or((&r.area, ""));
        let key = match level {
            AreaLevel::Province => province.to_owned(),
            AreaLevel::District => format!("{district} · {province}"),
        };
        m.entry(key).or_default().merge(&r.sums);
    }
    m.into_iter().filter(|(_, s)| s.ratings() > 0).collect()
}

/// A point per day (short periods) or per month, every one of the period, empty
/// ones included so that a gap shows as a gap.
pub fn trend(rows: &[Rollup], period: &Period, daily: bool) -> Vec<TrendPoint> {
    let mut m: BTreeMap<NaiveDate, RatingSums> = BTreeMap::new();
    for r in rows {
        let start = if daily {
            r.start
        } else {
            r.start.with_day(1).expect("a first day")
        };
        m.entry(start).or_default().merge(&r.sums);
    }
    let mut out = Vec::new();
    let mut at = if daily {
        period.from()
    } else {
        period.from().with_day(1).expect("a first day")
    };
    while at <= period.to() {
        out.push(TrendPoint {
            start: at,
            month: !daily,
            sums: m.get(&at).copied().unwrap_or_default(),
        });
        at = if daily {
            at.succ_opt().expect("in range")
        } else {
            at.checked_add_months(chrono::Months::new(1))
                .expect("in range")
        };
    }
    out
}

pub async fn preliminary(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    period: Period,
    level: AreaLevel,
) -> Result<Preliminary> {
    let node = node(app, caller, code).await?;
    let daily = period.days() <= DAILY_TREND_DAYS;
    // A daily trend needs the daily rows of the whole period; they sum to the same.
    let rows = if daily {
        app.db
            .rollups_grouped(
                node.id,
                DAY_GRAIN,
                period.from(),
                period.to(),
                RollupGroup::Start,
            )
            .await?
    } else {
        rows(app, node.id, &period).await?
    };
    let area_rows = rows_by(app, node.id, &period, RollupGroup::Area).await?;
    let (sums, refused) = total(&rows);
    let services = if node.kind == "service_point" {
        app.db
            .service_rollups(node.id, period.from(), period.to())
            .await?
            .into_iter()
            .map(|(_, title, c)| {
                let n = |i: usize| u64::try_from(c[i]).unwrap_or(0);
                (title, Tally::from_counts([n(0), n(1), n(2), n(3), n(4)], 0))
            })
            .collect()
    } else {
        Vec::new()
    };
    let (comments, _) = app
        .db
        .comments(
            node.id,
            period.from(),
            period.to(),
            false,
            LATEST_COMMENTS,
            0,
        )
        .await?;
    let comment_total = rows.iter().map(|r| r.comments).sum();
    Ok(Preliminary {
        trend: trend(&rows, &period, daily),
        areas: by_area(&area_rows, level),
        node,
        period,
        sums,
        refused,
        services,
        comments,
        comment_total,
    })
}

pub async fn summary(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    period: Period,
    level: AreaLevel,
    children: ChildRows,
) -> Result<Summary> {
    let node = node(app, caller, code).await?;
    let current = rows(app, node.id, &period).await?;
    let previous_period = period.previous();
    let (previous, _) = total(&rows(app, node.id, &previous_period).await?);
    let (units, child_total, by_child) = match children {
        ChildRows::All => {
            let units = app.db.child_units(node.id).await?;
            let n = units.len() as u64;
            (
                units,
                n,
                sums_by_unit(app, Units::ChildrenOf(node.id), &period).await?,
            )
        }
        ChildRows::Page { page, per_page } => {
            let offset = u64::from(page.max(1) - 1) * u64::from(per_page);
            let (units, n) = app.db.child_units_page(node.id, per_page, offset).await?;
            let ids: Vec<i64> = units.iter().map(|u| u.0).collect();
            let sums = sums_by_unit(app, Units::These(&ids), &period).await?;
            (units, n, sums)
        }
    };
    let children = units
        .into_iter()
        .map(|(id, c, kind, name)| {
            (
                Node {
                    id,
                    code: c,
                    kind,
                    name,
                },
                by_child.get(&id).copied().unwrap_or_default(),
            )
        })
        .collect();
    let (sums, _) = total(&current);
    Ok(Summary {
        closed: period.is_closed(crate::ratings::bangkok_day(Utc::now())),
        areas: by_area(
            &rows_by(app, node.id, &period, RollupGroup::Area).await?,
            level,
        ),
        node,
        period,
        sums,
        previous_period,
        previous,
        children,
        child_total,
    })
}

pub async fn performance(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    period: Period,
    child_rows: ChildRows,
) -> Result<Performance> {
    let node = node(app, caller, code).await?;
    let tree = app.db.staff_tree().await?;
    let parent: HashMap<i64, Option<i64>> = tree.units.iter().map(|u| (u.id, u.parent)).collect();
    let children = app.db.child_units(node.id).await?;
    let child_ids: HashSet<i64> = children.iter().map(|c| c.0).collect();
    // Each point under the node → the child it is under (itself for a point node).
    let mut under: HashMap<i64, Option<i64>> = HashMap::new();
    for p in tree.points.iter().filter(|p| p.archived_at.is_none()) {
        let mut at = Some(p.unit_id);
        let mut child = None;
        let mut steps = 0;
        while let Some(id) = at.filter(|_| steps < 16) {
            if id == node.id {
                under.insert(p.unit_id, child);
                break;
            }
            if child_ids.contains(&id) {
                child = Some(id);
            }
            at = parent.get(&id).copied().flatten();
            steps += 1;
        }
    }
    let filter = if node.kind == "service_point" {
        Filter {
            text: Some(node.code.clone()),
            ..Filter::default()
        }
    } else {
        Filter {
            unit: Some(*code),
            ..Filter::default()
        }
    };
    let quality = crate::quality::report(app, caller, &filter).await?;
    let mut findings_of: HashMap<String, Vec<Check>> = HashMap::new();
    for f in &quality.findings {
        findings_of
            .entry(f.code.to_string())
            .or_default()
            .push(f.kind.check());
    }
    let posters: HashMap<String, storage::PosterRow> = app
        .db
        .posters()
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p))
        .collect();
    let code_of: HashMap<i64, &str> = tree.units.iter().map(|u| (u.id, u.code.as_str())).collect();
    let mut total = Progress::default();
    let mut per_child: HashMap<i64, Progress> = HashMap::new();
    for p in tree.points.iter().filter(|p| p.archived_at.is_none()) {
        let Some(child) = under.get(&p.unit_id) else {
            continue;
        };
        let code = code_of.get(&p.unit_id).copied().unwrap_or("");
        let checks = findings_of.get(code).map(Vec::as_slice).unwrap_or(&[]);
        let poster = posters.get(code);
        let add = |g: &mut Progress| {
            g.points += 1;
            g.shown += u64::from(p.is_public);
            g.complete += u64::from(!checks.iter().any(|c| {
                matches!(
                    c,
                    Check::MissingHours | Check::MissingPhone | Check::MissingPhoto
                )
            }));
            g.with_expected_manuals += u64::from(!checks.contains(&Check::ExpectedManualsMissing));
            g.posters_downloaded += u64::from(poster.is_some_and(|p| p.downloads > 0));
            g.posters_on += u64::from(poster.is_some_and(|p| p.enabled && p.downloads > 0));
            g.findings += checks.len() as u64;
        };
        add(&mut total);
        if let Some(c) = child {
            add(per_child.entry(*c).or_default());
        }
    }
    total.ratings = self::total(&rows(app, node.id, &period).await?).0;
    let by_child = sums_by_unit(app, Units::ChildrenOf(node.id), &period).await?;
    let mut ranked = Vec::new();
    for (id, c, kind, name) in children {
        let mut g = per_child.remove(&id).unwrap_or_default();
        g.ratings = by_child.get(&id).copied().unwrap_or_default();
        ranked.push((
            Node {
                id,
                code: c,
                kind,
                name,
            },
            g,
        ));
    }
    ranked.sort_by(|a, b| {
        b.1.done()
            .unwrap_or(-1.0)
            .total_cmp(&a.1.done().unwrap_or(-1.0))
            .then_with(|| a.0.code.cmp(&b.0.code))
    });
    let child_total = ranked.len() as u64;
    let range = child_rows.range(ranked.len());
    let first_rank = range.start as u64 + 1;
    Ok(Performance {
        node,
        period,
        total,
        children: ranked.drain(range).collect(),
        child_total,
        first_rank,
    })
}

/// The comments of a node for its staff to read and answer, newest first.
pub async fn comments(
    app: &App,
    caller: &Caller,
    code: &UnitCode,
    period: Period,
    unanswered: bool,
    page: i64,
    per_page: i64,
) -> Result<Comments> {
    let node = node(app, caller, code).await?;
    let (rows, more) = app
        .db
        .comments(
            node.id,
            period.from(),
            period.to(),
            unanswered,
            per_page,
            (page - 1) * per_page,
        )
        .await?;
    let total = self::rows(app, node.id, &period)
        .await?
        .iter()
        .map(|r| r.comments)
        .sum();
    Ok(Comments {
        node,
        rows,
        more,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_of_children_stays_within_them() {
        let page = |page, per_page| ChildRows::Page { page, per_page };
        assert_eq!(ChildRows::All.range(7), 0..7);
        assert_eq!(page(1, 3).range(7), 0..3);
        assert_eq!(page(3, 3).range(7), 6..7);
        assert_eq!(page(4, 3).range(7), 7..7);
        assert_eq!(page(0, 3).range(7), 0..3);
        assert_eq!(page(u32::MAX, u32::MAX).range(7), 7..7);
    }
    use domain::rating::{Dimension, Score};

    fn rollup(start: (i32, u32, u32), area: &str, n: u64) -> Rollup {
        let mut sums = RatingSums::default();
        sums.set(Dimension::Overall, Tally::from_counts([0, 0, 0, 0, n], 0));
        Rollup {
            unit_id: 1,
            grain: DAY_GRAIN,
            start: NaiveDate::from_ymd_opt(start.0, start.1, start.2).unwrap(),
            area: area.into(),
            sums,
            refused: [0, 0, 0, n, 0],
            comments: 0,
        }
    }

    #[test]
    fn a_trend_has_every_day_and_sums_each() {
        let p = Period::parse("2026-05").unwrap();
        let rows = [
            rollup((2026, 5, 2), "ชลบุรี/บางละมุง", 2),
            rollup((2026, 5, 2), "ชลบุรี/สัตหีบ", 1),
            rollup((2026, 5, 31), "ชลบุรี/สัตหีบ", 4),
        ];
        let t = trend(&rows, &p, true);
        assert_eq!(t.len(), 31);
        assert_eq!(t[1].sums.ratings(), 3);
        assert_eq!(t[0].sums.ratings(), 0);
        assert_eq!(t[30].sums.ratings(), 4);
        let monthly = trend(&rows, &Period::parse("fy2569").unwrap(), false);
        assert_eq!(monthly.len(), 12);
        assert_eq!(monthly[7].sums.ratings(), 7);
        let (sums, refused) = total(&rows);
        assert_eq!(sums.get(Dimension::Overall).count_of(Score::ALL[0]), 7);
        assert_eq!(refused[3], 7);
    }

    #[test]
    fn areas_group_by_province_or_district() {
        let rows = [
            rollup((2026, 5, 2), "ชลบุรี/บางละมุง", 2),
            rollup((2026, 5, 3), "ชลบุรี/สัตหีบ", 1),
            rollup((2026, 5, 3), "ระยอง/เมืองระยอง", 1),
        ];
        let p = by_area(&rows, AreaLevel::Province);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].0, "ชลบุรี");
        assert_eq!(p[0].1.ratings(), 3);
        let d = by_area(&rows, AreaLevel::District);
        assert_eq!(d.len(), 3);
        assert!(
            d.iter()
                .any(|(k, s)| k == "สัตหีบ · ชลบุรี" && s.ratings() == 1)
        );
    }

    #[test]
    fn progress_is_the_mean_of_its_shares() {
        let g = Progress {
            points: 4,
            complete: 4,
            with_expected_manuals: 2,
            posters_downloaded: 2,
            posters_on: 1,
            ..Progress::default()
        };
        assert!((g.done().unwrap() - (1.0 + 0.5 + 0.25) / 3.0).abs() < 1e-9);
        assert_eq!(Progress::default().done(), None);
    }
}
