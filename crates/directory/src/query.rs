use chrono::NaiveDateTime;
use domain::geo::chord_for_km;
use domain::{LatLon, distance_km};

use crate::Directory;
use crate::text::{rank, unrank, with_ranked};

/// A search of the public service points. All filters are optional and combine.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub text: Option<String>,
    pub near: Option<LatLon>,
    pub radius_km: Option<f64>,
    /// Only service points in this unit's subtree (a ministry, a department, a unit).
    pub unit: Option<usize>,
    pub manual: Option<i64>,
    pub province: Option<String>,
    pub district: Option<String>,
    /// Local (Bangkok) time at which the point must be open.
    pub open_at: Option<NaiveDateTime>,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub index: usize,
    pub score: f32,
    pub distance_km: Option<f64>,
}

/// The results to skip and to show.
#[derive(Clone, Copy)]
struct Page {
    skip: usize,
    per_page: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub total: usize,
    pub hits: Vec<Hit>,
}

impl Directory {
    fn key(&self, i: usize) -> u64 {
        self.keys.get(i).copied().unwrap_or(u64::MAX)
    }

    fn passes(&self, q: &Query, i: usize) -> bool {
        // Most searches have no filter: then no entry needs reading.
        if q.unit.is_none()
            && q.manual.is_none()
            && q.province.is_none()
            && q.district.is_none()
            && q.open_at.is_none()
        {
            return true;
        }
        let p = &self.points[i];
        q.unit.is_none_or(|u| p.ancestors.contains(&(u as u32)))
            && q.manual.is_none_or(|m| p.point.manuals.contains(&m))
            && q.province
                .as_deref()
                .is_none_or(|v| p.point.address.province == v)
            && q.district
                .as_deref()
                .is_none_or(|v| p.point.address.district == v)
            && q.open_at
                .is_none_or(|t| p.point.hours.is_open_at(t, &self.holiday_days))
    }

    pub fn search(&self, q: &Query) -> SearchResult {
        let per_page = q.per_page.max(1);
        let page = Page {
            skip: q.page.max(1).saturating_sub(1) * per_page,
            per_page,
        };
        let text = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        match (text, q.near) {
            (None, Some(here)) => self.nearest(q, here, page),
            (Some(t), None) => self.relevant(q, t, page),
            (None, None) => self.in_code_order(q, page),
            (Some(t), Some(here)) => self.relevant_nearest(q, t, here, page),
        }
    }

    /// The common case of "nearest to me" walks the spatial index lazily and stops
    /// after the requested page.
    fn nearest(&self, q: &Query, here: LatLon, page: Page) -> SearchResult {
        let max_chord = q.radius_km.map(chord_for_km);
        let within = |chord2: f64| max_chord.is_none_or(|c| chord2 <= c * c + 1e-15);
        let only_distance = q.unit.is_none()
            && q.manual.is_none()
            && q.province.is_none()
            && q.district.is_none()
            && q.open_at.is_none();
        let mut hits = Vec::with_capacity(page.per_page);
        let mut total = 0;
        for (slot, d2) in self
            .spatial
            .nearest(here.unit_vector(), |s| self.key(s as usize))
        {
            if !within(d2) {
                break;
            }
            let i = slot as usize;
            if !self.passes(q, i) {
                continue;
            }
            if total >= page.skip && hits.len() < page.per_page {
                hits.push(Hit {
                    index: i,
                    score: 0.0,
                    distance_km: Some(distance_km(here, self.points[i].point.location)),
                });
            }
            total += 1;
            if only_distance && max_chord.is_none() && hits.len() == page.per_page {
                total = self.points.len();
                break;
            }
        }
        SearchResult { total, hits }
    }

    /// Relevance order on one number per match (see `text::rank`); only the page
    /// becomes hits.
    fn relevant(&self, q: &Query, text: &str, page: Page) -> SearchResult {
        with_ranked(|ranked| {
            // Ties keep the order of codes, so results are stable.
            self.point_text.search_ranked(
                text,
                |d| [&self.points[d].point.name_th, &self.points[d].point.name_en],
                |d| self.key(d as usize),
                ranked,
            );
            ranked.retain(|r| self.passes(q, unrank(*r).0 as usize));
            let k = (page.skip + page.per_page).min(ranked.len());
            top(ranked, k, u128::cmp);
            let hits = ranked[..k]
                .iter()
                .skip(page.skip)
                .map(|r| {
                    let (d, score) = unrank(*r);
                    Hit {
                        index: d as usize,
                        score,
                        distance_km: None,
                    }
                })
                .collect();
            SearchResult {
                total: ranked.len(),
                hits,
            }
        })
    }

    /// Filters alone list in code order. The keys are read once, in slot order, rather
    /// than twice per comparison while selecting among tens of thousands.
    fn in_code_order(&self, q: &Query, page: Page) -> SearchResult {
        with_ranked(|ranked| {
            ranked.extend(
                (0..self.points.len())
                    .filter(|i| self.passes(q, *i))
                    .map(|i| rank(0.0, self.key(i), i as u32)),
            );
            let k = (page.skip + page.per_page).min(ranked.len());
            top(ranked, k, u128::cmp);
            let hits = ranked[..k]
                .iter()
                .skip(page.skip)
                .map(|r| Hit {
                    index: unrank(*r).0 as usize,
                    score: 0.0,
                    distance_km: None,
                })
                .collect();
            SearchResult {
                total: ranked.len(),
                hits,
            }
        })
    }

    /// Text and a place: the matches, nearest first.
    fn relevant_nearest(&self, q: &Query, text: &str, here: LatLon, page: Page) -> SearchResult {
        let mut hits: Vec<Hit> = self
            .point_text
            .search(
                text,
                |d| [&self.points[d].point.name_th, &self.points[d].point.name_en],
                |d| self.key(d as usize),
            )
            .into_iter()
            .filter(|(d, _)| self.passes(q, *d as usize))
            .map(|(d, s)| Hit {
                index: d as usize,
                score: s,
                distance_km: Some(distance_km(here, self.points[d as usize].point.location)),
            })
            .collect();
        if let Some(r) = q.radius_km {
            hits.retain(|h| h.distance_km.is_some_and(|d| d <= r));
        }
        top(&mut hits, page.skip + page.per_page, |a, b| {
            a.distance_km
                .unwrap_or(f64::MAX)
                .total_cmp(&b.distance_km.unwrap_or(f64::MAX))
                .then_with(|| self.key(a.index).cmp(&self.key(b.index)))
        });
        let total = hits.len();
        let hits = hits
            .into_iter()
            .skip(page.skip)
            .take(page.per_page)
            .collect();
        SearchResult { total, hits }
    }

    /// Published manuals matching a text (all of them, by title, when it is empty).
    pub fn search_manuals(&self, text: &str) -> Vec<usize> {
        let text = text.trim();
        if text.is_empty() {
            let mut all: Vec<usize> = (0..self.manuals.len()).collect();
            all.sort_by(|a, b| self.manuals[*a].title_th.cmp(&self.manuals[*b].title_th));
            return all;
        }
        let mut hits = self.manual_text.search(
            text,
            |d| [&self.manuals[d].title_th, &self.manuals[d].title_en],
            u64::from,
        );
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.into_iter().map(|(d, _)| d as usize).collect()
    }
}

/// Orders the first `k` hits only: a page of twenty out of tens of thousands of matches
/// needs a selection, not a full sort.
fn top<T>(hits: &mut [T], k: usize, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    if k < hits.len() {
        hits.select_nth_unstable_by(k, &cmp);
        hits[..k].sort_by(&cmp);
    } else {
        hits.sort_by(&cmp);
    }
}
