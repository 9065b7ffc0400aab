//! What the pages show, computed in Rust so that the templates stay plain: status
//! lines, hours tables, dates in the Buddhist era.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use directory::{Directory, PointEntry};
use domain::hours::{OpenStatus, format_minutes};
use domain::{GeccLevel, WeeklyHours, thai_date};
use serde::Serialize;

use crate::Lang;

pub fn date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Th => thai_date::long_th(d),
        Lang::En => thai_date::long_en(d),
    }
}

fn weekday(lang: Lang, iso: u8) -> &'static str {
    match lang {
        Lang::Th => thai_date::weekday_th(iso),
        Lang::En => thai_date::weekday_en(iso),
    }
}

/// "วันจันทร์" style day for "opens Monday at 08:30"; today and tomorrow by name.
fn day_word(lang: Lang, t: NaiveDateTime, now: NaiveDateTime) -> String {
    let days = (t.date() - now.date()).num_days();
    match (lang, days) {
        (_, 0) => String::new(),
        (Lang::Th, 1) => "พรุ่งนี้".into(),
        (Lang::En, 1) => "tomorrow".into(),
        (Lang::Th, _) => format!(
            "วัน{}ที่ {}",
            thai_date::weekday_th(t.weekday().number_from_monday() as u8),
            t.day()
        ),
        (Lang::En, _) => format!(
            "{} {}",
            thai_date::weekday_en(t.weekday().number_from_monday() as u8),
            t.day()
        ),
    }
}

/// `status_line`, formatted once per (language, status, day) and thread: at any moment
/// most service points share a handful of statuses ("closes at 16:30").
pub fn status_line_cached(lang: Lang, status: OpenStatus, now: NaiveDateTime) -> (bool, String) {
    use std::cell::RefCell;
    type Cache = rustc_hash::FxHashMap<(Lang, OpenStatus, NaiveDate), (bool, String)>;
    thread_local! {
        static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
    }
    CACHE.with_borrow_mut(|cache| {
        let key = (lang, status, now.date());
        if let Some(hit) = cache.get(&key) {
            return hit.clone();
        }
        let line = status_line(lang, status, now);
        // Yesterday's lines are never asked for again.
        if cache.len() >= 4096 {
            cache.clear();
        }
        cache.insert(key, line.clone());
        line
    })
}

/// (is open, one line such as "เปิดอยู่ · ปิด 12:00 น.")
pub fn status_line(lang: Lang, status: OpenStatus, now: NaiveDateTime) -> (bool, String) {
    match status {
        OpenStatus::OpenUntil(t) => {
            let time = format_minutes((t.time().num_seconds_from_midnight_u32() / 60) as u16);
            (
                true,
                format!(
                    "{} · {}",
                    lang.t("open-now"),
                    lang.t_with("closes-at", &[("time", time)])
                ),
            )
        }
        OpenStatus::OpenAllDay => (
            true,
            format!("{} · {}", lang.t("open-now"), lang.t("open-24h")),
        ),
        OpenStatus::Closed(Some(t)) => {
            let time = format_minutes((t.time().num_seconds_from_midnight_u32() / 60) as u16);
            let day = day_word(lang, t, now);
            let day = if day.is_empty() {
                day
            } else {
                format!(" {day}").replace("  ", " ")
            };
            let text = lang.t_with(
                "opens-next",
                &[("day", day.trim_end().to_string()), ("time", time)],
            );
            (
                false,
                format!("{} · {}", lang.t("closed-now"), text.replace("  ", " ")),
            )
        }
        OpenStatus::Closed(None) => (
            false,
            format!("{} · {}", lang.t("closed-now"), lang.t("no-hours")),
        ),
    }
}

trait SecondsFromMidnight {
    fn num_seconds_from_midnight_u32(&self) -> u32;
}

impl SecondsFromMidnight for chrono::NaiveTime {
    fn num_seconds_from_midnight_u32(&self) -> u32 {
        chrono::Timelike::num_seconds_from_midnight(self)
    }
}

/// One row per weekday: "08:30–12:00, 13:00–16:30 น." or "ปิด".
pub type HoursRows = std::rc::Rc<Vec<(&'static str, String)>>;

/// The weekly table, shared between service points with the same week: most offices
/// keep the same few schedules, so each is formatted once per language and thread.
pub fn hours_rows_cached(lang: Lang, hours: &WeeklyHours) -> HoursRows {
    use std::cell::RefCell;
    use std::collections::HashMap;
    type Key = (Lang, Vec<domain::Period>);
    thread_local! {
        static CACHE: RefCell<HashMap<Key, HoursRows>> = RefCell::new(HashMap::new());
    }
    CACHE.with_borrow_mut(|cache| {
        let key = (lang, hours.periods.clone());
        if let Some(rows) = cache.get(&key) {
            return rows.clone();
        }
        let rows = HoursRows::new(hours_rows(lang, hours));
        // Bounded: a directory with unusually many distinct weeks just formats them.
        if cache.len() < 10_000 {
            cache.insert(key, rows.clone());
        }
        rows
    })
}

pub fn hours_rows(lang: Lang, hours: &WeeklyHours) -> Vec<(&'static str, String)> {
    hours
        .by_weekday()
        .into_iter()
        .map(|(wd, ps)| {
            let text = if ps.is_empty() {
                lang.t("closed-day")
            } else if ps == [(0, 1440)] {
                lang.t("open-24h")
            } else {
                let spans: Vec<String> = ps
                    .iter()
                    .map(|(o, c)| format!("{}–{}", format_minutes(*o), format_minutes(*c)))
                    .collect();
                let unit = if lang == Lang::Th { " น." } else { "" };
                format!("{}{unit}", spans.join(", "))
            };
            (weekday(lang, wd), text)
        })
        .collect()
}

pub fn gecc(lang: Lang, level: GeccLevel) -> Option<String> {
    let key = match level {
        GeccLevel::None => return None,
        GeccLevel::Basic => "gecc-basic",
        GeccLevel::Medium => "gecc-medium",
        GeccLevel::High => "gecc-high",
    };
    Some(format!("{} {}", lang.text("gecc"), lang.text(key)))
}

/// A coordinate with five decimals (about a metre), in integer arithmetic: the service
/// point page shows two and links with them, and float formatting was a tenth of its cost.
pub fn fixed5(x: f64) -> String {
    let scaled = (x * 100_000.0).round() as i64;
    let sign = if scaled < 0 { "-" } else { "" };
    let abs = scaled.unsigned_abs();
    format!("{sign}{}.{:05}", abs / 100_000, abs % 100_000)
}

pub fn km(d: f64) -> String {
    if d < 10.0 {
        format!("{d:.1}")
    } else {
        format!("{d:.0}")
    }
}

#[derive(Serialize)]
pub struct MapPoint {
    pub lat: f64,
    pub lon: f64,
    pub name: String,
    pub url: String,
}

pub fn map_json(points: &[MapPoint]) -> String {
    serde_json::to_string(points).unwrap_or_else(|_| "[]".into())
}

/// A search result or a listed service point, as a line of the results list.
pub struct PointLine {
    pub url: String,
    pub name: String,
    pub agency: String,
    pub address: String,
    pub distance: Option<String>,
    pub open: bool,
    pub status: String,
    pub gecc: Option<String>,
}

pub fn point_line(
    lang: Lang,
    dir: &Directory,
    p: &PointEntry,
    distance_km: Option<f64>,
    now: NaiveDateTime,
) -> PointLine {
    let sp = &p.point;
    let agency = [p.department, p.ministry]
        .iter()
        .flatten()
        .map(|i| {
            lang.pick(&dir.units[*i].unit.name_th, &dir.units[*i].unit.name_en)
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join(" · ");
    let (open, status) = status_line_cached(lang, sp.hours.status_at(now, dir.holiday_days()), now);
    PointLine {
        url: format!("/sp/{}", sp.code),
        name: lang.pick(&sp.name_th, &sp.name_en).to_owned(),
        agency,
        address: sp.address.line_th(),
        distance: distance_km.map(|d| lang.t_with("distance", &[("km", km(d))])),
        open,
        status,
        gecc: gecc(lang, sp.gecc_level),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 11, d)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn status_lines_read_naturally() {
        let now = at(27, 9, 0);
        assert_eq!(
            status_line(Lang::Th, OpenStatus::OpenUntil(at(27, 12, 0)), now),
            (true, "เปิดอยู่ · ปิด 12:00 น.".into())
        );
        assert_eq!(
            status_line(Lang::Th, OpenStatus::Closed(Some(at(27, 13, 0))), now),
            (false, "ปิดอยู่ · เปิด 13:00 น.".into())
        );
        assert_eq!(
            status_line(Lang::Th, OpenStatus::Closed(Some(at(30, 8, 30))), now),
            (false, "ปิดอยู่ · เปิด วันจันทร์ที่ 30 08:30 น.".into())
        );
        assert_eq!(
            status_line(Lang::En, OpenStatus::Closed(Some(at(28, 8, 30))), now),
            (false, "Closed · opens tomorrow at 08:30".into())
        );
    }

    #[test]
    fn coordinates_have_five_decimals() {
        for x in [
            13.36114,
            -0.000004,
            -12.5,
            100.98765432,
            0.0,
            7.123456,
            -99.999999,
        ] {
            assert_eq!(
                fixed5(x),
                format!("{x:.5}").replace("-0.00000", "0.00000"),
                "{x}"
            );
        }
    }

    #[test]
    fn cached_status_lines_are_the_same_lines() {
        let now = at(27, 9, 0);
        for s in [
            OpenStatus::OpenUntil(at(27, 12, 0)),
            OpenStatus::Closed(Some(at(30, 8, 30))),
            OpenStatus::OpenAllDay,
            OpenStatus::Closed(None),
        ] {
            for lang in [Lang::Th, Lang::En] {
                assert_eq!(status_line_cached(lang, s, now), status_line(lang, s, now));
                assert_eq!(status_line_cached(lang, s, now), status_line(lang, s, now));
            }
        }
    }

    #[test]
    fn hours_table_shows_the_lunch_break() {
        let rows = hours_rows(Lang::Th, &WeeklyHours::government_office());
        assert_eq!(rows[0], ("จันทร์", "08:30–12:00, 13:00–16:30 น.".to_string()));
        assert_eq!(rows[6], ("อาทิตย์", "ปิด".to_string()));
    }
}
