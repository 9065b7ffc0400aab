//! Thai calendar conventions: Buddhist-era years (พ.ศ. = ค.ศ. + 543), Thai month and
//! weekday names, Thai digits.
//!
//! A table of twelve month names is all the Buddhist-era date needs; the ICU datetime
//! crates would add several megabytes of data and minutes of build for the same output.

use chrono::{Datelike, NaiveDate};

pub const BE_OFFSET: i32 = 543;

const MONTHS_TH: [&str; 12] = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
];
const MONTHS_TH_SHORT: [&str; 12] = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS_TH: [&str; 7] = ["จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์", "อาทิตย์"];
const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub fn be_year(date: NaiveDate) -> i32 {
    date.year() + BE_OFFSET
}

/// `27 พฤศจิกายน 2569`.
pub fn long_th(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        MONTHS_TH[date.month0() as usize],
        be_year(date)
    )
}

/// `27 พ.ย. 2569`.
pub fn short_th(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        MONTHS_TH_SHORT[date.month0() as usize],
        be_year(date)
    )
}

/// English pages keep the Buddhist era too, marked, since it is the year on every
/// Thai document the reader will compare with: `27 November 2569 BE (2026)`.
pub fn long_en(date: NaiveDate) -> String {
    format!(
        "{} {} {} BE ({})",
        date.day(),
        MONTHS_EN[date.month0() as usize],
        be_year(date),
        date.year()
    )
}

/// ISO weekday 1–7 to its Thai name.
pub fn weekday_th(iso: u8) -> &'static str {
    WEEKDAYS_TH[(iso.clamp(1, 7) - 1) as usize]
}

pub fn weekday_en(iso: u8) -> &'static str {
    WEEKDAYS_EN[(iso.clamp(1, 7) - 1) as usize]
}

/// Arabic digits to Thai digits (๐–๙), as official letters print them.
pub fn thai_digits(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                char::from_u32('๐' as u32 + (c as u32 - '0' as u32)).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buddhist_era_dates() {
        let d = NaiveDate::from_ymd_opt(2020, 8, 6).unwrap();
        assert_eq!(long_th(d), "6 สิงหาคม 2563");
        assert_eq!(short_th(d), "6 ส.ค. 2563");
        assert_eq!(thai_digits(&long_th(d)), "๖ สิงหาคม ๒๕๖๓");
        assert_eq!(long_en(d), "6 August 2563 BE (2020)");
    }

    #[test]
    fn weekdays() {
        assert_eq!(weekday_th(1), "จันทร์");
        assert_eq!(weekday_en(7), "Sunday");
    }
}
