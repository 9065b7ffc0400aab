use chrono::NaiveDateTime;
use domain::geo::chord_for_km;
use domain::{LatLon, distance_km};

use crate::Directory;

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

#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    pub total: usize,
    pub hits: Vec<Hit>,
}

impl Directory {
    fn passes(&self, q: &Query, i: usize) -> bool {
        let p = &self.points[i];
        q.unit.is_none_or(|u| p.ancestors.contains(&u))
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
        let skip = q.page.max(1).saturating_sub(1) * per_page;
        let text = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty());

        // The common case of "nearest to me" walks the spatial index lazily and stops
        // after the requested page.
        if let (Some(here), None) = (q.near, text) {
            let max_chord = q.radius_km.map(chord_for_km);
            let within = |chord2: f64| max_chord.is_none_or(|c| chord2 <= c * c + 1e-15);
            let only_distance = q.unit.is_none()
                && q.manual.is_none()
                && q.province.is_none()
                && q.district.is_none()
                && q.open_at.is_none();
            let mut hits = Vec::with_capacity(per_page);
            let mut total = 0;
            for (item, d2) in self
                .rtree
                .nearest_neighbor_iter_with_distance_2(here.unit_vector())
            {
                if !within(d2) {
                    break;
                }
                let i = item.data as usize;
                if !self.passes(q, i) {
                    continue;
                }
                if total >= skip && hits.len() < per_page {
                    hits.push(Hit {
                        index: i,
                        score: 0.0,
                        distance_km: Some(distance_km(here, self.points[i].point.location)),
                    });
                }
                total += 1;
                if only_distance && max_chord.is_none() && hits.len() == per_page {
                    total = self.points.len();
                    break;
                }
            }
            return SearchResult { total, hits };
        }

        if let (Some(t), None) = (text, q.near) {
            // Relevance order on the compact (document, score) pairs; only the page
            // becomes hits.
            let mut matches = self.point_text.search(t, |d| {
                [&self.points[d].point.name_th, &self.points[d].point.name_en]
            });
            matches.retain(|(d, _)| self.passes(q, *d as usize));
            let k = (skip + per_page).min(matches.len());
            // Ties keep the order of the tree (codes), so results are stable.
            top(&mut matches, k, |a, b| {
                b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
            });
            let hits = matches[..k]
                .iter()
                .skip(skip)
                .map(|(d, s)| Hit {
                    index: *d as usize,
                    score: *s,
                    distance_km: None,
                })
                .collect();
            return SearchResult {
                total: matches.len(),
                hits,
            };
        }
        let mut hits: Vec<Hit> = match text {
            Some(t) => self
                .point_text
                .search(t, |d| {
                    [&self.points[d].point.name_th, &self.points[d].point.name_en]
                })
                .into_iter()
                .map(|(d, s)| Hit {
                    index: d as usize,
                    score: s,
                    distance_km: None,
                })
                .filter(|h| self.passes(q, h.index))
                .collect(),
            None => (0..self.points.len())
                .filter(|i| self.passes(q, *i))
                .map(|i| Hit {
                    index: i,
                    score: 0.0,
                    distance_km: None,
                })
                .collect(),
        };
        if let Some(here) = q.near {
            for h in &mut hits {
                h.distance_km = Some(distance_km(here, self.points[h.index].point.location));
            }
            if let Some(r) = q.radius_km {
                hits.retain(|h| h.distance_km.is_some_and(|d| d <= r));
            }
            top(&mut hits, skip + per_page, |a, b| {
                a.distance_km
                    .unwrap_or(f64::MAX)
                    .total_cmp(&b.distance_km.unwrap_or(f64::MAX))
                    .then(a.index.cmp(&b.index))
            });
        } else {
            // Ties keep the order of the tree (codes), so results are stable.
            top(&mut hits, skip + per_page, |a, b| {
                b.score.total_cmp(&a.score).then(a.index.cmp(&b.index))
            });
        }
        let total = hits.len();
        let hits = hits.into_iter().skip(skip).take(per_page).collect();
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
        let mut hits = self.manual_text.search(text, |d| {
            [&self.manuals[d].title_th, &self.manuals[d].title_en]
        });
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
