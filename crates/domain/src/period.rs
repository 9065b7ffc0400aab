//! The period a satisfaction report covers: dates, a calendar month or quarter, or the
//! government fiscal year (October to September, named by the Buddhist-era year it
//! ends in: ปีงบประมาณ พ.ศ. 2569 is 1 October 2025 – 30 September 2026) and its quarters.
//!
//! In query strings (`?period=`), as `Period::parse` reads and `Period::key` writes them:
//!
//! | form | period |
//! | --- | --- |
//! | `2026-01-01..2026-03-31` | those dates, both included |
//! | `2026-01-15` | that one day |
//! | `2026-05` | May 2026 |
//! | `2026-Q2` | April–June 2026 (calendar quarter) |
//! | `fy2569` | fiscal year 2569 BE: 1 October 2025 – 30 September 2026 |
//! | `fy2569-Q1` | its first quarter: October–December 2025 |
//!
//! Calendar forms take the year AD, as ISO dates do; fiscal years take the Buddhist-era
//! year, as every government document names them. A year that looks like the other era
//! is refused with the form that was probably meant. A range is at most five years.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::problem::Problem;
use crate::thai_date::{BE_OFFSET, long_en, long_th};

/// The longest range of dates, in years.
pub const MAX_YEARS: u32 = 5;
/// Calendar years the forms accept (AD); fiscal years are those ending in them.
pub const FIRST_YEAR: i32 = 2000;
pub const LAST_YEAR: i32 = 2200;

const FIELD: &str = "period";

/// How a period was chosen, which decides the period before it and its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeriodKind {
    Dates,
    Month,
    Quarter,
    FiscalYear,
    FiscalQuarter,
}

/// Dates from `from` to `to`, both included; `from <= to` always.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    from: NaiveDate,
    to: NaiveDate,
    kind: PeriodKind,
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn last_day_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    ymd(y, m, 1)?.checked_add_months(Months::new(1))?.pred_opt()
}

fn in_range(year: i32) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&year)
}

/// The Buddhist-era fiscal year a date falls in: from October on, the next year's.
pub fn fiscal_year_of(date: NaiveDate) -> i32 {
    let ad = if date.month() >= 10 {
        date.year() + 1
    } else {
        date.year()
    };
    ad + BE_OFFSET
}

impl Period {
    /// A range of dates, both included: refused when `from` is after `to` or the range
    /// is longer than `MAX_YEARS`.
    pub fn dates(from: NaiveDate, to: NaiveDate) -> Result<Period, Problem> {
        if from > to {
            return Err(Problem::new(
                FIELD,
                "วันเริ่มต้นต้องไม่อยู่หลังวันสิ้นสุด",
                "The start date is after the end date",
            ));
        }
        let limit = from.checked_add_months(Months::new(12 * MAX_YEARS));
        if limit.is_none_or(|limit| to >= limit) {
            return Err(Problem::new(
                FIELD,
                format!("ช่วงเวลายาวได้ไม่เกิน {MAX_YEARS} ปี"),
                format!("A period is at most {MAX_YEARS} years"),
            ));
        }
        Ok(Period {
            from,
            to,
            kind: PeriodKind::Dates,
        })
    }

    /// A calendar month (`month` 1–12) of a year AD.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        Some(Period {
            from: ymd(year, month, 1)?,
            to: last_day_of_month(year, month)?,
            kind: PeriodKind::Month,
        })
    }

    /// A calendar quarter (1–4: January–March, …) of a year AD.
    pub fn quarter(year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let first = 3 * quarter - 2;
        Some(Period {
            from: ymd(year, first, 1)?,
            to: last_day_of_month(year, first + 2)?,
            kind: PeriodKind::Quarter,
        })
    }

    /// The fiscal year named by its Buddhist-era year: 2569 is 1 October 2025 –
    /// 30 September 2026.
    pub fn fiscal_year(be_year: i32) -> Option<Period> {
        let ad = be_year - BE_OFFSET;
        Some(Period {
            from: ymd(ad - 1, 10, 1)?,
            to: ymd(ad, 9, 30)?,
            kind: PeriodKind::FiscalYear,
        })
    }

    /// A quarter of a fiscal year: the first is October–December of the year before.
    pub fn fiscal_quarter(be_year: i32, quarter: u32) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        let start = Period::fiscal_year(be_year)?
            .from
            .checked_add_months(Months::new(3 * (quarter - 1)))?;
        Some(Period {
            from: start,
            to: start.checked_add_months(Months::new(3))?.pred_opt()?,
            kind: PeriodKind::FiscalQuarter,
        })
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The number of days, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        (self.from..=self.to).contains(&date)
    }

    /// A period is closed once its last day is over: only then is its summary final.
    pub fn is_closed(&self, today: NaiveDate) -> bool {
        today > self.to
    }

    /// The period to compare with: the month, quarter or fiscal year before; for dates,
    /// as many days just before.
    pub fn previous(&self) -> Period {
        let prev = match self.kind {
            PeriodKind::Dates => {
                let to = self.from.pred_opt();
                to.and_then(|to| {
                    Some(Period {
                        from: self.from.checked_sub_days(Days::new(self.days() as u64))?,
                        to,
                        kind: PeriodKind::Dates,
                    })
                })
            }
            PeriodKind::Month => self
                .from
                .checked_sub_months(Months::new(1))
                .and_then(|d| Period::month(d.year(), d.month())),
            PeriodKind::Quarter => self
                .from
                .checked_sub_months(Months::new(3))
                .and_then(|d| Period::quarter(d.year(), d.month0() / 3 + 1)),
            PeriodKind::FiscalYear => Period::fiscal_year(self.be_fiscal_year() - 1),
            PeriodKind::FiscalQuarter => match self.fiscal_quarter_number() {
                1 => Period::fiscal_quarter(self.be_fiscal_year() - 1, 4),
                q => Period::fiscal_quarter(self.be_fiscal_year(), q - 1),
            },
        };
        // Only dates at the very start of chrono's calendar have no period before them;
        // the forms never reach them.
        prev.unwrap_or(*self)
    }

    fn be_fiscal_year(&self) -> i32 {
        fiscal_year_of(self.from)
    }

    /// 1–4, counted from October.
    fn fiscal_quarter_number(&self) -> u32 {
        (self.from.month0() + 3) % 12 / 3 + 1
    }

    fn calendar_quarter_number(&self) -> u32 {
        self.from.month0() / 3 + 1
    }

    /// The period as a query string writes it; `Period::parse` reads it back.
    pub fn key(&self) -> String {
        match self.kind {
            PeriodKind::Dates if self.from == self.to => self.from.to_string(),
            PeriodKind::Dates => format!("{}..{}", self.from, self.to),
            PeriodKind::Month => self.from.format("%Y-%m").to_string(),
            PeriodKind::Quarter => {
                format!("{}-Q{}", self.from.year(), self.calendar_quarter_number())
            }
            PeriodKind::FiscalYear => format!("fy{}", self.be_fiscal_year()),
            PeriodKind::FiscalQuarter => format!(
                "fy{}-Q{}",
                self.be_fiscal_year(),
                self.fiscal_quarter_number()
            ),
        }
    }

    /// `ปีงบประมาณ พ.ศ. 2569`, `พฤษภาคม 2569`, `ไตรมาสที่ 2/2569`,
    /// `ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2569`, `1 มกราคม 2569 – 31 มีนาคม 2569`.
    pub fn label_th(&self) -> String {
        let be = self.from.year() + BE_OFFSET;
        match self.kind {
            PeriodKind::Dates if self.from == self.to => long_th(self.from),
            PeriodKind::Dates => format!("{} – {}", long_th(self.from), long_th(self.to)),
            PeriodKind::Month => without_day(&long_th(self.from)),
            PeriodKind::Quarter => format!("ไตรมาสที่ {}/{be}", self.calendar_quarter_number()),
            PeriodKind::FiscalYear => format!("ปีงบประมาณ พ.ศ. {}", self.be_fiscal_year()),
            PeriodKind::FiscalQuarter => format!(
                "ไตรมาสที่ {} ปีงบประมาณ พ.ศ. {}",
                self.fiscal_quarter_number(),
                self.be_fiscal_year()
            ),
        }
    }

    /// English labels keep the Buddhist era, with the year AD beside it:
    /// `Fiscal year 2569 BE (October 2025 – September 2026)`, `May 2569 BE (2026)`.
    pub fn label_en(&self) -> String {
        let (be, ad) = (self.from.year() + BE_OFFSET, self.from.year());
        let months = || {
            format!(
                "{} {} – {} {}",
                month_en(self.from),
                self.from.year(),
                month_en(self.to),
                self.to.year()
            )
        };
        match self.kind {
            PeriodKind::Dates if self.from == self.to => long_en(self.from),
            PeriodKind::Dates => format!("{} – {}", long_en(self.from), long_en(self.to)),
            PeriodKind::Month => without_day(&long_en(self.from)),
            PeriodKind::Quarter => format!(
                "Quarter {} of {be} BE ({ad})",
                self.calendar_quarter_number()
            ),
            PeriodKind::FiscalYear => {
                format!("Fiscal year {} BE ({})", self.be_fiscal_year(), months())
            }
            PeriodKind::FiscalQuarter => format!(
                "Quarter {} of fiscal year {} BE ({})",
                self.fiscal_quarter_number(),
                self.be_fiscal_year(),
                months()
            ),
        }
    }

    /// Reads the forms of the module's table; anything else is refused with the forms
    /// that are understood.
    pub fn parse(input: &str) -> Result<Period, Problem> {
        let t = input.trim();
        let lower = t.to_ascii_lowercase();
        if let Some(fy) = lower.strip_prefix("fy") {
            return parse_fiscal(fy);
        }
        if !t.is_ascii() {
            return Err(unknown_form());
        }
        if let Some((a, b)) = t.split_once("..") {
            let from = parse_date(a.trim())?;
            let to = parse_date(b.trim())?;
            return Period::dates(from, to);
        }
        match t.len() {
            10 => {
                let d = parse_date(t)?;
                Period::dates(d, d)
            }
            7 if lower.as_bytes()[5] == b'q' => {
                let year = calendar_year(&t[..4], &t[4..])?;
                t[..5]
                    .ends_with('-')
                    .then(|| number(&t[6..7]))
                    .flatten()
                    .and_then(|q| Period::quarter(year, q))
                    .ok_or_else(unknown_form)
            }
            7 => {
                let year = calendar_year(&t[..4], &t[4..])?;
                (t.as_bytes()[4] == b'-')
                    .then(|| number(&t[5..7]))
                    .flatten()
                    .and_then(|m| Period::month(year, m))
                    .ok_or_else(unknown_form)
            }
            _ => Err(unknown_form()),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl FromStr for Period {
    type Err = Problem;
    fn from_str(s: &str) -> Result<Period, Problem> {
        Period::parse(s)
    }
}

/// `พฤษภาคม 2569` from `1 พฤษภาคม 2569`: the month tables are `thai_date`'s.
fn without_day(long: &str) -> String {
    long.split_once(' ')
        .map_or(long, |(_, rest)| rest)
        .to_owned()
}

fn month_en(d: NaiveDate) -> String {
    long_en(d).split(' ').nth(1).unwrap_or_default().to_owned()
}

fn unknown_form() -> Problem {
    Problem::new(
        FIELD,
        "รูปแบบช่วงเวลาไม่ถูกต้อง ใช้เช่น 2026-01-01..2026-03-31, 2026-05, 2026-Q2, fy2569 หรือ fy2569-Q1",
        "Unknown period: write for example 2026-01-01..2026-03-31, 2026-05, 2026-Q2, fy2569 or fy2569-Q1",
    )
}

fn out_of_range() -> Problem {
    Problem::new(
        FIELD,
        format!(
            "ปีต้องอยู่ระหว่าง ค.ศ. {FIRST_YEAR}–{LAST_YEAR} (พ.ศ. {}–{})",
            FIRST_YEAR + BE_OFFSET,
            LAST_YEAR + BE_OFFSET
        ),
        format!("The year must be from {FIRST_YEAR} to {LAST_YEAR} AD"),
    )
}

/// ASCII digits and nothing else (no sign, no spaces).
fn number(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// A year AD of a calendar form; `rest` is what follows it, to show the form meant.
fn calendar_year(digits: &str, rest: &str) -> Result<i32, Problem> {
    let year = number(digits)
        .filter(|_| digits.len() == 4)
        .ok_or_else(unknown_form)? as i32;
    if in_range(year) {
        return Ok(year);
    }
    if in_range(year - BE_OFFSET) {
        let ad = year - BE_OFFSET;
        return Err(Problem::new(
            FIELD,
            format!("ปี {year} เป็นปี พ.ศ. กรุณาใช้ปี ค.ศ. เช่น {ad}{rest} หรือ fy{year} สำหรับปีงบประมาณ"),
            format!(
                "{year} is a Buddhist-era year: write the year AD, such as {ad}{rest}, or fy{year} for the fiscal year"
            ),
        ));
    }
    Err(out_of_range())
}

fn parse_date(s: &str) -> Result<NaiveDate, Problem> {
    let b = s.as_bytes();
    if !s.is_ascii() || b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(unknown_form());
    }
    let year = calendar_year(&s[..4], &s[4..])?;
    let (m, d) = (number(&s[5..7]), number(&s[8..10]));
    m.zip(d).and_then(|(m, d)| ymd(year, m, d)).ok_or_else(|| {
        Problem::new(
            FIELD,
            format!("ไม่มีวันที่ {s} ในปฏิทิน"),
            format!("There is no date {s}"),
        )
    })
}

/// What follows `fy`: `2569` or `2569-q1` (lower-cased).
fn parse_fiscal(s: &str) -> Result<Period, Problem> {
    let (year, quarter) = match s.split_once("-q") {
        Some((y, q)) => (y, Some(q)),
        None => (s, None),
    };
    let be = number(year)
        .filter(|_| year.len() == 4)
        .ok_or_else(unknown_form)? as i32;
    if !in_range(be - BE_OFFSET) {
        if in_range(be) {
            let named = be + BE_OFFSET;
            return Err(Problem::new(
                FIELD,
                format!("ปีงบประมาณใช้ปี พ.ศ. เช่น fy{named}"),
                format!("Fiscal years are named by their Buddhist-era year, such as fy{named}"),
            ));
        }
        return Err(out_of_range());
    }
    match quarter {
        None => Period::fiscal_year(be).ok_or_else(out_of_range),
        Some(q) => number(q)
            .filter(|_| q.len() == 1)
            .and_then(|q| Period::fiscal_quarter(be, q))
            .ok_or_else(unknown_form),
    }
}

/// How a stretch of days is read from the rollups: whole months from the monthly
/// rows, the days at either end from the daily ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    Day,
    Month,
}

/// A stretch of rollup rows: `grain` rows whose start is within `from..=to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub grain: Grain,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The fewest rollup rows that cover the period exactly: a fiscal year is twelve
    /// monthly rows, 3 to 17 May is fifteen daily ones, 20 January to 10 March is the
    /// days of January's end, February's month, and March's first days.
    pub fn spans(&self) -> Vec<Span> {
        let first_of = |d: NaiveDate| d.with_day(1).expect("a first day");
        let full_from = if self.from.day() == 1 {
            self.from
        } else {
            first_of(self.from)
                .checked_add_months(Months::new(1))
                .expect("in range")
        };
        let after_to = self.to.succ_opt().expect("in range");
        let full_to_excl = first_of(after_to);
        let full_to_excl = if after_to.day() == 1 {
            after_to
        } else {
            full_to_excl
        };
        if full_from >= full_to_excl {
            return vec![Span {
                grain: Grain::Day,
                from: self.from,
                to: self.to,
            }];
        }
        let mut out = Vec::new();
        if self.from < full_from {
            out.push(Span {
                grain: Grain::Day,
                from: self.from,
                to: full_from.pred_opt().expect("in range"),
            });
        }
        out.push(Span {
            grain: Grain::Month,
            from: full_from,
            to: full_to_excl
                .checked_sub_months(Months::new(1))
                .expect("in range"),
        });
        if full_to_excl <= self.to {
            out.push(Span {
                grain: Grain::Day,
                from: full_to_excl,
                to: self.to,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    fn span(p: Period) -> (NaiveDate, NaiveDate) {
        (p.from(), p.to())
    }

    #[test]
    fn fiscal_years_by_their_buddhist_era_year() {
        let fy = Period::fiscal_year(2569).unwrap();
        assert_eq!(span(fy), (d(2025, 10, 1), d(2026, 9, 30)));
        assert_eq!(fy.days(), 365);
        assert_eq!(fy.label_th(), "ปีงบประมาณ พ.ศ. 2569");
        assert_eq!(
            fy.label_en(),
            "Fiscal year 2569 BE (October 2025 – September 2026)"
        );
        assert_eq!(fy.key(), "fy2569");
        assert_eq!(fiscal_year_of(d(2025, 9, 30)), 2568);
        assert_eq!(fiscal_year_of(d(2025, 10, 1)), 2569);
        assert_eq!(fiscal_year_of(d(2026, 9, 30)), 2569);
        // A leap February inside: 2024 is in fiscal year 2567.
        assert_eq!(Period::fiscal_year(2567).unwrap().days(), 366);
    }

    #[test]
    fn fiscal_quarters() {
        let q = |n| span(Period::fiscal_quarter(2569, n).unwrap());
        assert_eq!(q(1), (d(2025, 10, 1), d(2025, 12, 31)));
        assert_eq!(q(2), (d(2026, 1, 1), d(2026, 3, 31)));
        assert_eq!(q(3), (d(2026, 4, 1), d(2026, 6, 30)));
        assert_eq!(q(4), (d(2026, 7, 1), d(2026, 9, 30)));
        assert_eq!(Period::fiscal_quarter(2569, 0), None);
        assert_eq!(Period::fiscal_quarter(2569, 5), None);
        let q1 = Period::fiscal_quarter(2569, 1).unwrap();
        assert_eq!(q1.label_th(), "ไตรมาสที่ 1 ปีงบประมาณ พ.ศ. 2569");
        assert_eq!(
            q1.label_en(),
            "Quarter 1 of fiscal year 2569 BE (October 2025 – December 2025)"
        );
        assert_eq!(q1.key(), "fy2569-Q1");
    }

    #[test]
    fn months_and_calendar_quarters() {
        let may = Period::month(2026, 5).unwrap();
        assert_eq!(span(may), (d(2026, 5, 1), d(2026, 5, 31)));
        assert_eq!(may.label_th(), "พฤษภาคม 2569");
        assert_eq!(may.label_en(), "May 2569 BE (2026)");
        assert_eq!(may.key(), "2026-05");
        assert_eq!(span(Period::month(2024, 2).unwrap()).1, d(2024, 2, 29));
        assert_eq!(span(Period::month(2026, 12).unwrap()).1, d(2026, 12, 31));
        assert_eq!(Period::month(2026, 13), None);
        assert_eq!(Period::month(2026, 0), None);

        let q2 = Period::quarter(2026, 2).unwrap();
        assert_eq!(span(q2), (d(2026, 4, 1), d(2026, 6, 30)));
        assert_eq!(q2.label_th(), "ไตรมาสที่ 2/2569");
        assert_eq!(q2.label_en(), "Quarter 2 of 2569 BE (2026)");
        assert_eq!(q2.key(), "2026-Q2");
        assert_eq!(span(Period::quarter(2026, 4).unwrap()).1, d(2026, 12, 31));
        assert_eq!(Period::quarter(2026, 5), None);
    }

    #[test]
    fn dates() {
        let r = Period::dates(d(2026, 1, 1), d(2026, 3, 31)).unwrap();
        assert_eq!(r.days(), 90);
        assert_eq!(r.label_th(), "1 มกราคม 2569 – 31 มีนาคม 2569");
        assert_eq!(
            r.label_en(),
            "1 January 2569 BE (2026) – 31 March 2569 BE (2026)"
        );
        assert_eq!(r.key(), "2026-01-01..2026-03-31");
        let day = Period::dates(d(2026, 1, 15), d(2026, 1, 15)).unwrap();
        assert_eq!(day.days(), 1);
        assert_eq!(day.key(), "2026-01-15");
        assert_eq!(day.label_th(), "15 มกราคม 2569");
        assert!(r.contains(d(2026, 3, 31)) && !r.contains(d(2026, 4, 1)));

        let after = Period::dates(d(2026, 3, 1), d(2026, 2, 1)).unwrap_err();
        assert_eq!(after.field, "period");
        assert_eq!(after.en, "The start date is after the end date");
        // Five years exactly is allowed; a day more is not.
        assert!(Period::dates(d(2020, 1, 1), d(2024, 12, 31)).is_ok());
        let long = Period::dates(d(2020, 1, 1), d(2025, 1, 1)).unwrap_err();
        assert_eq!(long.th, "ช่วงเวลายาวได้ไม่เกิน 5 ปี");
        assert_eq!(long.en, "A period is at most 5 years");
    }

    #[test]
    fn the_period_before() {
        let prev = |s: &str| p(s).previous().key();
        assert_eq!(prev("fy2569"), "fy2568");
        assert_eq!(prev("fy2569-Q1"), "fy2568-Q4");
        assert_eq!(prev("fy2569-Q3"), "fy2569-Q2");
        assert_eq!(prev("2026-05"), "2026-04");
        assert_eq!(prev("2026-01"), "2025-12");
        assert_eq!(prev("2026-03"), "2026-02");
        assert_eq!(prev("2026-Q1"), "2025-Q4");
        assert_eq!(prev("2026-Q3"), "2026-Q2");
        // Dates: as many days just before.
        assert_eq!(prev("2026-03-01..2026-03-10"), "2026-02-19..2026-02-28");
        assert_eq!(prev("2026-01-15"), "2026-01-14");
        let r = p("2024-03-01..2024-05-31");
        assert_eq!(r.previous().days(), r.days());
        assert_eq!(r.previous().to(), d(2024, 2, 29));
        // A month before a long month is the whole month before, not as many days.
        assert_eq!(p("2026-03").previous().days(), 28);
    }

    #[test]
    fn closed_periods() {
        let may = p("2026-05");
        assert!(!may.is_closed(d(2026, 5, 1)));
        assert!(!may.is_closed(d(2026, 5, 31)));
        assert!(may.is_closed(d(2026, 6, 1)));
        assert!(!may.is_closed(d(2026, 4, 30)));
    }

    #[test]
    fn query_strings_read_back_as_written() {
        for s in [
            "2026-01-01..2026-03-31",
            "2026-01-15",
            "2026-05",
            "2026-Q2",
            "fy2569",
            "fy2569-Q4",
        ] {
            assert_eq!(p(s).key(), s);
            assert_eq!(s.parse::<Period>().unwrap().to_string(), s);
        }
        assert_eq!(p(" FY2569 ").key(), "fy2569");
        assert_eq!(p("fy2569-q2").key(), "fy2569-Q2");
        assert_eq!(p("2026-q2").key(), "2026-Q2");
        assert_eq!(p("2026-01-01 .. 2026-01-31").kind(), PeriodKind::Dates);
    }

    #[test]
    fn refused_query_strings() {
        for s in [
            "",
            "2026",
            "2026-5",
            "2026/05",
            "26-05",
            "2026-Q5",
            "2026-Q0",
            "2026-Q",
            "2026-13",
            "2026-00",
            "fy",
            "fy25",
            "fy2569-Q5",
            "fy2569-2",
            "last month",
            "2026-01-01..",
            "..2026-01-01",
            "2026-01-01...2026-02-01",
            "๒๐๒๖-๐๕",
            "ก-2026",
            "2026-0ก",
            "ก026-01-01",
            "fy๒๕๖๙",
        ] {
            let e = Period::parse(s).unwrap_err();
            assert_eq!(e.field, "period", "{s}");
            assert!(!e.th.is_empty() && !e.en.is_empty());
        }
        assert!(
            Period::parse("2026")
                .unwrap_err()
                .en
                .starts_with("Unknown period")
        );
        assert_eq!(
            Period::parse("2026-02-30").unwrap_err().en,
            "There is no date 2026-02-30"
        );
        assert_eq!(
            Period::parse("2026-03-01..2026-01-01").unwrap_err().en,
            "The start date is after the end date"
        );
        assert_eq!(
            Period::parse("2020-01-01..2026-01-01").unwrap_err().en,
            "A period is at most 5 years"
        );
    }

    #[test]
    fn the_other_era_is_pointed_out() {
        let e = Period::parse("2569-05").unwrap_err();
        assert_eq!(
            e.en,
            "2569 is a Buddhist-era year: write the year AD, such as 2026-05, or fy2569 for the fiscal year"
        );
        assert!(e.th.contains("2026-05"));
        let e = Period::parse("2569-01-01..2569-03-31").unwrap_err();
        assert!(e.en.contains("2026-01-01"));
        let e = Period::parse("fy2026").unwrap_err();
        assert_eq!(
            e.en,
            "Fiscal years are named by their Buddhist-era year, such as fy2569"
        );
        assert!(
            Period::parse("1999-05")
                .unwrap_err()
                .en
                .contains("2000 to 2200")
        );
        assert!(
            Period::parse("fy9999")
                .unwrap_err()
                .en
                .contains("2000 to 2200")
        );
    }

    #[test]
    fn spans_cover_a_period_with_the_fewest_rows() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let fy = Period::fiscal_year(2569).unwrap();
        assert_eq!(
            fy.spans(),
            vec![Span {
                grain: Grain::Month,
                from: d(2025, 10, 1),
                to: d(2026, 9, 1)
            }]
        );
        let mid = Period::dates(d(2026, 5, 3), d(2026, 5, 17)).unwrap();
        assert_eq!(
            mid.spans(),
            vec![Span {
                grain: Grain::Day,
                from: d(2026, 5, 3),
                to: d(2026, 5, 17)
            }]
        );
        let across = Period::dates(d(2026, 1, 20), d(2026, 3, 10)).unwrap();
        assert_eq!(
            across.spans(),
            vec![
                Span {
                    grain: Grain::Day,
                    from: d(2026, 1, 20),
                    to: d(2026, 1, 31)
                },
                Span {
                    grain: Grain::Month,
                    from: d(2026, 2, 1),
                    to: d(2026, 2, 1)
                },
                Span {
                    grain: Grain::Day,
                    from: d(2026, 3, 1),
                    to: d(2026, 3, 10)
                },
            ]
        );
        // Two partial months side by side: days only.
        let two = Period::dates(d(2026, 1, 20), d(2026, 2, 10)).unwrap();
        assert_eq!(
            two.spans(),
            vec![Span {
                grain: Grain::Day,
                from: d(2026, 1, 20),
                to: d(2026, 2, 10)
            }]
        );
        // Ending on a month's last day, starting on a first.
        let q = Period::dates(d(2026, 1, 1), d(2026, 2, 28)).unwrap();
        assert_eq!(
            q.spans(),
            vec![Span {
                grain: Grain::Month,
                from: d(2026, 1, 1),
                to: d(2026, 2, 1)
            }]
        );
        let tail = Period::dates(d(2026, 1, 1), d(2026, 2, 27)).unwrap();
        assert_eq!(
            tail.spans(),
            vec![
                Span {
                    grain: Grain::Month,
                    from: d(2026, 1, 1),
                    to: d(2026, 1, 1)
                },
                Span {
                    grain: Grain::Day,
                    from: d(2026, 2, 1),
                    to: d(2026, 2, 27)
                },
            ]
        );
    }
}
