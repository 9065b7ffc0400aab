//! Opening hours and the "open now / closes at / opens next" computation.
//!
//! Hours are kept as structured periods (the source of truth), one row per opening
//! stretch: a lunch break is the gap between two periods of the same day, and a period
//! whose closing time is not after its opening time runs past midnight.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::hash::BuildHasher;

/// Thailand keeps UTC+7 all year (no daylight saving since 1920), so a fixed offset is
/// exactly Asia/Bangkok and needs no time-zone database.
pub fn bangkok() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

pub fn bangkok_now(now: DateTime<Utc>) -> NaiveDateTime {
    now.with_timezone(&bangkok()).naive_local()
}

/// How far ahead the next opening is searched: two weeks covers Songkran and the
/// longest runs of holidays.
const HORIZON_DAYS: i64 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// Minutes after midnight.
    pub opens: u16,
    /// Minutes after midnight, 1440 for midnight at the end of the day; not after
    /// `opens` means the period ends the next day.
    pub closes: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursException {
    pub date: NaiveDate,
    /// `(opens, closes)` in minutes; empty means closed all day.
    pub periods: Vec<(u16, u16)>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name_th: String,
    pub name_en: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyHours {
    pub periods: Vec<Period>,
    pub open_on_holidays: bool,
    pub exceptions: Vec<HoursException>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum OpenStatus {
    /// Open now; closes at the given local time.
    OpenUntil(NaiveDateTime),
    /// Open now and without a closing time within the horizon.
    OpenAllDay,
    /// Closed now; opens at the given local time, if at all within the horizon.
    Closed(Option<NaiveDateTime>),
}

impl OpenStatus {
    pub fn is_open(&self) -> bool {
        !matches!(self, OpenStatus::Closed(_))
    }
}

pub fn minutes(h: u16, m: u16) -> u16 {
    h * 60 + m
}

pub fn format_minutes(min: u16) -> String {
    format!("{:02}:{:02}", min / 60, min % 60)
}

/// Parses `HH:MM` (also `HH.MM`, as Thai texts write it); `24:00` is the end of the day.
pub fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once([':', '.'])?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

impl WeeklyHours {
    /// The common government office week: Monday to Friday, 08:30–16:30 with the
    /// 12:00–13:00 lunch break, closed on public holidays.
    pub fn government_office() -> Self {
        let mut periods = Vec::new();
        for weekday in 1..=5 {
            periods.push(Period {
                weekday,
                opens: minutes(8, 30),
                closes: minutes(12, 0),
            });
            periods.push(Period {
                weekday,
                opens: minutes(13, 0),
                closes: minutes(16, 30),
            });
        }
        Self {
            periods,
            open_on_holidays: false,
            exceptions: Vec::new(),
        }
    }

    /// Calls `f` with each period (opens, closes) of one date, after exceptions and
    /// holidays. No allocation: this runs for every service point page and every
    /// "open now" filter over the national list.
    fn each_period<S: BuildHasher>(
        &self,
        date: NaiveDate,
        holidays: &HashSet<NaiveDate, S>,
        mut f: impl FnMut(u16, u16),
    ) {
        if let Some(ex) = self.exceptions.iter().find(|e| e.date == date) {
            ex.periods.iter().for_each(|&(o, c)| f(o, c));
            return;
        }
        if !self.open_on_holidays && holidays.contains(&date) {
            return;
        }
        let wd = date.weekday().number_from_monday() as u8;
        self.periods
            .iter()
            .filter(|p| p.weekday == wd)
            .for_each(|p| f(p.opens, p.closes));
    }

    /// Open or closed at `now`, and until or from when. Intervals are gathered day by day
    /// in minutes from the midnight before yesterday, sorted and merged (so 24-hour days
    /// join up), and the walk stops at the first day after which no later day can change
    /// the answer: later days only bring intervals that start at their own midnight or
    /// after.
    pub fn status_at<S: BuildHasher>(
        &self,
        now: NaiveDateTime,
        holidays: &HashSet<NaiveDate, S>,
    ) -> OpenStatus {
        const DAY: i32 = 1440;
        let yesterday = now.date() - Duration::days(1);
        let base = yesterday.and_hms_opt(0, 0, 0).expect("midnight exists");
        let at = |m: i32| base + Duration::minutes(m.into());
        let now_m = DAY + (now.time().num_seconds_from_midnight() / 60) as i32;
        let horizon = DAY * (HORIZON_DAYS as i32 + 1);
        let mut intervals: Vec<(i32, i32)> = Vec::with_capacity(8);
        let mut merged: Vec<(i32, i32)> = Vec::with_capacity(8);
        for day in 0..=(HORIZON_DAYS as i32 + 1) {
            let midnight = day * DAY;
            self.each_period(yesterday + Duration::days(day.into()), holidays, |o, c| {
                let (o, c) = (i32::from(o), i32::from(c));
                let end = if c <= o { c + DAY } else { c };
                intervals.push((midnight + o, midnight + end));
            });
            if day == 0 {
                continue;
            }
            intervals.sort_unstable();
            merged.clear();
            for &(s, e) in &intervals {
                match merged.last_mut() {
                    Some(last) if s <= last.1 => last.1 = last.1.max(e),
                    _ => merged.push((s, e)),
                }
            }
            let next_midnight = midnight + DAY;
            let open = merged.iter().find(|&&(s, e)| s <= now_m && now_m < e);
            match open {
                Some(&(_, e)) if e >= horizon => return OpenStatus::OpenAllDay,
                Some(&(_, e)) if e < next_midnight => return OpenStatus::OpenUntil(at(e)),
                Some(_) => {}
                None => {
                    if let Some(&(s, _)) = merged.iter().find(|&&(s, _)| s > now_m) {
                        return OpenStatus::Closed(Some(at(s)));
                    }
                }
            }
        }
        match merged.iter().find(|&&(s, e)| s <= now_m && now_m < e) {
            Some(_) => OpenStatus::OpenAllDay,
            None => OpenStatus::Closed(None),
        }
    }

    /// Whether open at `now`, without computing the next change: cheap enough to filter
    /// a whole national list by.
    pub fn is_open_at<S: BuildHasher>(
        &self,
        now: NaiveDateTime,
        holidays: &HashSet<NaiveDate, S>,
    ) -> bool {
        let today = now.date();
        let minute = (now.time().num_seconds_from_midnight() / 60) as u16;
        let mut open = false;
        self.each_period(today - Duration::days(1), holidays, |o, c| {
            open |= c <= o && minute < c;
        });
        if !open {
            self.each_period(today, holidays, |o, c| {
                open |= o <= minute && (c <= o || minute < c);
            });
        }
        open
    }

    /// The periods of each weekday (1–7) for display, sorted by opening time.
    pub fn by_weekday(&self) -> Vec<(u8, Vec<(u16, u16)>)> {
        (1..=7)
            .map(|wd| {
                let mut ps: Vec<_> = self
                    .periods
                    .iter()
                    .filter(|p| p.weekday == wd)
                    .map(|p| (p.opens, p.closes))
                    .collect();
                ps.sort();
                (wd, ps)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap()
    }

    fn none() -> HashSet<NaiveDate> {
        HashSet::new()
    }

    #[test]
    fn office_is_open_in_the_morning_and_closes_for_lunch() {
        let h = WeeklyHours::government_office();
        // Friday 27 November 2026, 09:00.
        assert_eq!(
            h.status_at(at(2026, 11, 27, 9, 0), &none()),
            OpenStatus::OpenUntil(at(2026, 11, 27, 12, 0))
        );
        assert_eq!(
            h.status_at(at(2026, 11, 27, 12, 30), &none()),
            OpenStatus::Closed(Some(at(2026, 11, 27, 13, 0)))
        );
        assert_eq!(
            h.status_at(at(2026, 11, 27, 16, 29), &none()),
            OpenStatus::OpenUntil(at(2026, 11, 27, 16, 30))
        );
    }

    #[test]
    fn closed_at_the_weekend_opens_on_monday() {
        let h = WeeklyHours::government_office();
        assert_eq!(
            h.status_at(at(2026, 11, 27, 16, 30), &none()),
            OpenStatus::Closed(Some(at(2026, 11, 30, 8, 30)))
        );
        assert_eq!(
            h.status_at(at(2026, 11, 28, 10, 0), &none()),
            OpenStatus::Closed(Some(at(2026, 11, 30, 8, 30)))
        );
    }

    #[test]
    fn public_holidays_are_skipped() {
        let h = WeeklyHours::government_office();
        // Songkran 2027: Tuesday 13 to Thursday 15 April.
        let holidays: HashSet<_> = [13, 14, 15]
            .iter()
            .map(|d| NaiveDate::from_ymd_opt(2027, 4, *d).unwrap())
            .collect();
        assert_eq!(
            h.status_at(at(2027, 4, 13, 10, 0), &holidays),
            OpenStatus::Closed(Some(at(2027, 4, 16, 8, 30)))
        );
        assert_eq!(
            h.status_at(at(2027, 4, 12, 17, 0), &holidays),
            OpenStatus::Closed(Some(at(2027, 4, 16, 8, 30)))
        );
    }

    #[test]
    fn exceptions_override_the_week_and_holidays() {
        let mut h = WeeklyHours::government_office();
        let sat = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        h.exceptions.push(HoursException {
            date: sat,
            periods: vec![(minutes(9, 0), minutes(12, 0))],
            note: None,
        });
        assert_eq!(
            h.status_at(at(2026, 11, 28, 10, 0), &none()),
            OpenStatus::OpenUntil(at(2026, 11, 28, 12, 0))
        );
        let fri = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        h.exceptions.push(HoursException {
            date: fri,
            periods: vec![],
            note: Some("ปิดปรับปรุง".into()),
        });
        assert_eq!(
            h.status_at(at(2026, 11, 27, 10, 0), &none()),
            OpenStatus::Closed(Some(at(2026, 11, 28, 9, 0)))
        );
    }

    #[test]
    fn overnight_hours_run_past_midnight() {
        let h = WeeklyHours {
            periods: vec![Period {
                weekday: 5,
                opens: minutes(22, 0),
                closes: minutes(6, 0),
            }],
            ..Default::default()
        };
        // Friday 22:00 to Saturday 06:00.
        assert_eq!(
            h.status_at(at(2026, 11, 27, 23, 0), &none()),
            OpenStatus::OpenUntil(at(2026, 11, 28, 6, 0))
        );
        assert_eq!(
            h.status_at(at(2026, 11, 28, 5, 59), &none()),
            OpenStatus::OpenUntil(at(2026, 11, 28, 6, 0))
        );
        assert_eq!(
            h.status_at(at(2026, 11, 28, 6, 0), &none()),
            OpenStatus::Closed(Some(at(2026, 12, 4, 22, 0)))
        );
    }

    #[test]
    fn quick_check_agrees_with_the_full_status() {
        let office = WeeklyHours::government_office();
        let night = WeeklyHours {
            periods: vec![Period {
                weekday: 5,
                opens: minutes(22, 0),
                closes: minutes(6, 0),
            }],
            ..Default::default()
        };
        let holidays: HashSet<_> = [NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()]
            .into_iter()
            .collect();
        for h in [&office, &night] {
            for day in 25..=31 {
                for minute in (0..1440).step_by(15) {
                    let t = at(2026, 12, day, minute / 60, minute % 60);
                    assert_eq!(
                        h.is_open_at(t, &holidays),
                        h.status_at(t, &holidays).is_open(),
                        "{t}"
                    );
                }
            }
            let t = at(2026, 12, 7, 10, 0);
            assert_eq!(
                h.is_open_at(t, &holidays),
                h.status_at(t, &holidays).is_open()
            );
        }
    }

    /// Random weeks (lunch breaks, overnight and round-the-clock periods, exceptions,
    /// holidays): the status says open or closed as the minute-by-minute check does, and
    /// the time it gives is the first minute at which that changes.
    #[test]
    fn status_names_the_next_change_minute_by_minute() {
        let mut seed = 0x2569_u64;
        let mut rnd = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let start = at(2026, 12, 1, 0, 0);
        for _ in 0..300 {
            let mut h = WeeklyHours {
                open_on_holidays: rnd(2) == 0,
                ..Default::default()
            };
            for _ in 0..rnd(9) {
                // Midnight openings often, so that days join up.
                let opens = if rnd(3) == 0 {
                    0
                } else {
                    (rnd(96) * 15) as u16
                };
                let closes = match rnd(5) {
                    0 => opens,
                    1 => 1440,
                    _ => (rnd(96) * 15) as u16,
                };
                h.periods.push(Period {
                    weekday: rnd(7) as u8 + 1,
                    opens,
                    closes,
                });
            }
            for _ in 0..rnd(3) {
                let date = start.date() + Duration::days(rnd(10) as i64);
                let periods = (0..rnd(2))
                    .map(|_| ((rnd(48) * 15) as u16, (48 + rnd(48) * 15) as u16))
                    .collect();
                h.exceptions.push(HoursException {
                    date,
                    periods,
                    note: None,
                });
            }
            let holidays: HashSet<_> = (0..rnd(3))
                .map(|_| start.date() + Duration::days(rnd(10) as i64))
                .collect();
            for _ in 0..6 {
                let now = start + Duration::minutes((rnd(7 * 96) * 15) as i64);
                let open_at = |t| h.is_open_at(t, &holidays);
                let status = h.status_at(now, &holidays);
                assert_eq!(status.is_open(), open_at(now), "{h:?} at {now}");
                let change = match status {
                    OpenStatus::OpenUntil(t) | OpenStatus::Closed(Some(t)) => Some(t),
                    _ => None,
                };
                let limit = change.unwrap_or(now + Duration::days(HORIZON_DAYS));
                let mut t = now;
                while t < limit {
                    assert_eq!(open_at(t), status.is_open(), "{h:?} at {now}, {t}");
                    t += Duration::minutes(15);
                }
                if let Some(t) = change {
                    assert_ne!(open_at(t), status.is_open(), "{h:?} at {now}, {t}");
                }
            }
        }
    }

    #[test]
    fn round_the_clock_is_open_all_day() {
        let h = WeeklyHours {
            periods: (1..=7)
                .map(|weekday| Period {
                    weekday,
                    opens: 0,
                    closes: 1440,
                })
                .collect(),
            open_on_holidays: true,
            exceptions: vec![],
        };
        assert_eq!(
            h.status_at(at(2026, 11, 27, 3, 0), &none()),
            OpenStatus::OpenAllDay
        );
    }

    #[test]
    fn no_hours_means_closed_without_next_opening() {
        assert_eq!(
            WeeklyHours::default().status_at(at(2026, 11, 27, 3, 0), &none()),
            OpenStatus::Closed(None)
        );
    }

    #[test]
    fn parses_thai_and_iso_times() {
        assert_eq!(parse_hhmm("08:30"), Some(510));
        assert_eq!(parse_hhmm("16.30"), Some(990));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        assert_eq!(parse_hhmm("24:01"), None);
        assert_eq!(parse_hhmm("8:60"), None);
        assert_eq!(format_minutes(510), "08:30");
    }

    #[test]
    fn bangkok_is_seven_hours_ahead() {
        let utc = DateTime::parse_from_rfc3339("2026-11-27T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(bangkok_now(utc), at(2026, 11, 27, 9, 0));
    }
}
