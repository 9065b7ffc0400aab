//! Abuse resistance of the rating form without personal data: why a submission is
//! refused, and the rule of the per-client counters. The counters count under keyed
//! hashes whose key changes every day; this module only judges their numbers.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// Why a submission was not counted; the reports show how many of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// Sent sooner after the form was served than a person can fill it.
    TooFast,
    /// The hidden field that people leave empty was filled.
    Trap,
    /// No form token, a forged one, or one too old.
    Form,
    /// Over the day's limit of the client, or of its network address, on this poster.
    Limit,
    /// The same client rated the same poster minutes ago.
    Repeat,
}

impl Refusal {
    /// In the order of the rollups' columns.
    pub const ALL: [Refusal; 5] = [
        Refusal::TooFast,
        Refusal::Trap,
        Refusal::Form,
        Refusal::Limit,
        Refusal::Repeat,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn key(self) -> &'static str {
        match self {
            Refusal::TooFast => "too_fast",
            Refusal::Trap => "trap",
            Refusal::Form => "form",
            Refusal::Limit => "limit",
            Refusal::Repeat => "repeat",
        }
    }

    pub fn label_th(self) -> &'static str {
        match self {
            Refusal::TooFast => "ส่งเร็วเกินกว่าที่คนจะกรอกได้",
            Refusal::Trap => "กรอกช่องที่ซ่อนไว้",
            Refusal::Form => "แบบฟอร์มไม่ถูกต้องหรือหมดอายุ",
            Refusal::Limit => "เกินจำนวนครั้งต่อวัน",
            Refusal::Repeat => "ส่งซ้ำภายในไม่กี่นาที",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Refusal::TooFast => "Sent faster than a person can fill the form",
            Refusal::Trap => "Filled the hidden field",
            Refusal::Form => "Missing, forged or expired form",
            Refusal::Limit => "Over the daily limit",
            Refusal::Repeat => "Repeated within minutes",
        }
    }
}

/// The counts of refusals, indexed by [`Refusal::index`].
pub type Refusals = [u64; 5];

/// The least time a person takes to fill the form, from its serving to its sending.
pub const MIN_FILL: Duration = Duration::seconds(3);
/// How long a served form may be sent: a citizen who waits at the counter with the
/// page open may send it hours later.
pub const FORM_LIFETIME: Duration = Duration::hours(12);
/// Ratings of one poster per client (address and browser) per day.
pub const PER_CLIENT_PER_DAY: i64 = 3;
/// Ratings of one poster per network address per day, whatever the browser: an
/// office's shared connection has many citizens behind it, a script has one.
pub const PER_ADDRESS_PER_DAY: i64 = 20;
/// Ratings of one poster per network address per clock hour: whatever a script
/// changes in its requests, 1,000 submissions from one address in an hour count as
/// at most this many.
pub const PER_ADDRESS_PER_HOUR: i64 = 5;
/// A client's second rating of a poster within this is a repeat.
pub const REPEAT_WITHIN: Duration = Duration::minutes(10);

/// A counter to hit for a submission, and its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// The keyed hash the counter is kept under.
    pub key: String,
    pub max_per_day: i64,
    /// Refuse when the previous hit is this recent.
    pub repeat_within: Option<Duration>,
}

/// The rule, given a counter after the hit: `hits` today including this one, and the
/// time of the hit before it.
pub fn judge(
    guard: &Guard,
    hits: i64,
    previous: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<Refusal> {
    if let (Some(within), Some(prev)) = (guard.repeat_within, previous)
        && now - prev < within
    {
        return Some(Refusal::Repeat);
    }
    (hits > guard.max_per_day).then_some(Refusal::Limit)
}

/// When a served form may be sent: `None` when it may, or why not.
pub fn judge_form_age(served: DateTime<Utc>, now: DateTime<Utc>) -> Option<Refusal> {
    let age = now - served;
    if age < MIN_FILL {
        Some(Refusal::TooFast)
    } else if age > FORM_LIFETIME {
        Some(Refusal::Form)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + s, 0).unwrap()
    }

    fn client() -> Guard {
        Guard {
            key: "k".into(),
            max_per_day: PER_CLIENT_PER_DAY,
            repeat_within: Some(REPEAT_WITHIN),
        }
    }

    #[test]
    fn the_first_rating_of_the_day_passes() {
        assert_eq!(judge(&client(), 1, None, at(0)), None);
    }

    #[test]
    fn a_second_rating_within_minutes_is_a_repeat() {
        assert_eq!(
            judge(&client(), 2, Some(at(0)), at(9 * 60)),
            Some(Refusal::Repeat)
        );
        assert_eq!(judge(&client(), 2, Some(at(0)), at(10 * 60)), None);
    }

    #[test]
    fn past_the_daily_count_is_over_the_limit() {
        assert_eq!(judge(&client(), 3, Some(at(0)), at(3600)), None);
        assert_eq!(
            judge(&client(), 4, Some(at(0)), at(3600)),
            Some(Refusal::Limit)
        );
    }

    #[test]
    fn an_address_counter_has_no_repeat_rule() {
        let g = Guard {
            key: "a".into(),
            max_per_day: PER_ADDRESS_PER_DAY,
            repeat_within: None,
        };
        assert_eq!(judge(&g, 20, Some(at(0)), at(1)), None);
        assert_eq!(judge(&g, 21, Some(at(0)), at(1)), Some(Refusal::Limit));
    }

    #[test]
    fn a_form_sent_at_once_or_too_late_is_refused() {
        assert_eq!(judge_form_age(at(0), at(2)), Some(Refusal::TooFast));
        assert_eq!(judge_form_age(at(0), at(3)), None);
        assert_eq!(judge_form_age(at(0), at(12 * 3600)), None);
        assert_eq!(
            judge_form_age(at(0), at(12 * 3600 + 1)),
            Some(Refusal::Form)
        );
        // A clock behind the server's: a form "from the future" is too fast.
        assert_eq!(judge_form_age(at(10), at(0)), Some(Refusal::TooFast));
    }

    #[test]
    fn refusals_are_in_column_order() {
        for (i, r) in Refusal::ALL.iter().enumerate() {
            assert_eq!(r.index(), i);
        }
    }
}
