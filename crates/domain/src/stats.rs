//! The statistics of satisfaction reports, computed from sums that merge: rollups per
//! service point, day and manual are added to as ratings arrive, and a report merges the
//! rollups of its period instead of reading raw ratings.
//!
//! A `Tally`'s state is its count per score (1–5) and its "not applicable" count; the
//! count, sum and sum of squares follow from those exactly, so a rollup row needs six
//! integers per dimension and can never disagree with itself. Everything is integer up
//! to the final mean and S.D.; the mean printed (two decimals) and its band are rounded
//! from the exact fraction, never from an `f64`.
//!
//! Decisions the reports rely on:
//! - no mean, S.D., band or share from fewer than `MIN_RATINGS_FOR_A_MEAN` ratings: they
//!   show "not enough ratings" (the counts themselves are always shown);
//! - the S.D. is the sample's (divided by n − 1): the respondents are a sample of the
//!   citizens served, and Thai government satisfaction reports use the sample S.D. (as
//!   a spreadsheet's `STDEV`);
//! - a mean is rounded half up to two decimals first, and its band is that of the
//!   rounded value: 4.205 prints as 4.21 and is มากที่สุด, as a reader of the report
//!   would classify it;
//! - the change from the previous period is the difference of the two printed means, so
//!   that the numbers on the page add up.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::rating::{Dimension, DimensionAnswer, RatingInput, Score};

/// Fewer ratings than this give no mean (nor S.D., band or share).
pub const MIN_RATINGS_FOR_A_MEAN: u64 = 5;

/// What a report shows instead of a mean from too few ratings.
pub const NOT_ENOUGH_TH: &str = "จำนวนผู้ประเมินไม่เพียงพอ";
pub const NOT_ENOUGH_EN: &str = "Not enough ratings";

/// The answers to one dimension: a count per score and the "not applicable" answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Index 0 is score 1.
    by_score: [u64; 5],
    not_applicable: u64,
}

impl Tally {
    /// A tally read back from storage: the counts of scores 1 to 5, and "not applicable".
    pub fn from_counts(by_score: [u64; 5], not_applicable: u64) -> Tally {
        Tally {
            by_score,
            not_applicable,
        }
    }

    /// A tally from a row that also stores its count, sum and sum of squares: `None`
    /// when they do not agree with the counts per score (a damaged rollup).
    pub fn from_parts(
        count: u64,
        sum: u64,
        sum_of_squares: u64,
        by_score: [u64; 5],
        not_applicable: u64,
    ) -> Option<Tally> {
        let t = Tally::from_counts(by_score, not_applicable);
        (t.count() == count && t.sum() == sum && t.sum_of_squares() == sum_of_squares).then_some(t)
    }

    pub fn add(&mut self, s: Score) {
        self.by_score[usize::from(s.get() - 1)] += 1;
    }

    pub fn add_not_applicable(&mut self) {
        self.not_applicable += 1;
    }

    pub fn add_answer(&mut self, a: DimensionAnswer) {
        match a {
            DimensionAnswer::Score(s) => self.add(s),
            DimensionAnswer::NotApplicable => self.add_not_applicable(),
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        for (mine, theirs) in self.by_score.iter_mut().zip(other.by_score) {
            *mine += theirs;
        }
        self.not_applicable += other.not_applicable;
    }

    /// The scores given (not applicable not counted).
    pub fn count(&self) -> u64 {
        self.by_score.iter().sum()
    }

    pub fn sum(&self) -> u64 {
        (1..).zip(self.by_score).map(|(s, n)| s * n).sum()
    }

    pub fn sum_of_squares(&self) -> u64 {
        (1..).zip(self.by_score).map(|(s, n)| s * s * n).sum()
    }

    pub fn count_of(&self, s: Score) -> u64 {
        self.by_score[usize::from(s.get() - 1)]
    }

    pub fn not_applicable(&self) -> u64 {
        self.not_applicable
    }

    /// The counts per score, 5 first as the reports list them.
    pub fn distribution(&self) -> [(Score, u64); 5] {
        Score::ALL.map(|s| (s, self.count_of(s)))
    }

    pub fn has_enough(&self) -> bool {
        self.count() >= MIN_RATINGS_FOR_A_MEAN
    }

    pub fn mean(&self) -> Option<f64> {
        self.has_enough()
            .then(|| self.sum() as f64 / self.count() as f64)
    }

    /// The mean as printed: rounded half up to two decimals, exactly.
    pub fn mean_rounded(&self) -> Option<Hundredths> {
        if !self.has_enough() {
            return None;
        }
        let (sum, n) = (u128::from(self.sum()), u128::from(self.count()));
        // round(100·sum/n) half up = ⌊(200·sum + n) / 2n⌋
        Some(Hundredths(((200 * sum + n) / (2 * n)) as i64))
    }

    /// The sample standard deviation (n − 1).
    pub fn std_dev(&self) -> Option<f64> {
        if !self.has_enough() {
            return None;
        }
        let (n, sum, sq) = (
            u128::from(self.count()),
            u128::from(self.sum()),
            u128::from(self.sum_of_squares()),
        );
        // n·Σx² − (Σx)² is n² times the population variance: exact and never negative.
        let numerator = n * sq - sum * sum;
        Some((numerator as f64 / (n * (n - 1)) as f64).sqrt())
    }

    /// The share of scores of 4 or 5, from 0 to 1.
    pub fn share_satisfied(&self) -> Option<f64> {
        self.has_enough()
            .then(|| (self.by_score[3] + self.by_score[4]) as f64 / self.count() as f64)
    }

    pub fn band(&self) -> Option<Band> {
        self.mean_rounded().and_then(Band::of_hundredths)
    }

    /// This mean less the previous period's, both as printed; `None` unless both
    /// periods have enough ratings.
    pub fn change_from(&self, previous: &Tally) -> Option<Hundredths> {
        Some(Hundredths(
            self.mean_rounded()?.0 - previous.mean_rounded()?.0,
        ))
    }
}

/// A number to two decimals, held as a whole number of hundredths: `421` is 4.21.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hundredths(pub i64);

impl Hundredths {
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// With its sign always, for a change: `+0.12`, `-0.05`, `0.00`.
    pub fn signed(self) -> String {
        if self.0 > 0 {
            format!("+{self}")
        } else {
            self.to_string()
        }
    }
}

impl fmt::Display for Hundredths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

/// The level of satisfaction a mean falls in, as Thai satisfaction reports read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Lowest,
    Low,
    Moderate,
    High,
    Highest,
}

impl Band {
    /// Highest first, as the reports' legend lists them.
    pub const ALL: [Band; 5] = [
        Band::Highest,
        Band::High,
        Band::Moderate,
        Band::Low,
        Band::Lowest,
    ];

    /// The band of a mean printed to two decimals (`421` is 4.21); `None` outside
    /// 1.00–5.00.
    pub fn of_hundredths(h: Hundredths) -> Option<Band> {
        Band::ALL.into_iter().find(|b| {
            let (lo, hi) = b.range();
            (lo.0..=hi.0).contains(&h.0)
        })
    }

    /// The band of a mean given as a number: rounded half up to two decimals first. An
    /// `f64` cannot hold 4.205 (it holds 4.20499…), so a value within 10⁻⁹ below a half
    /// counts as the half; a `Tally`'s band is computed exactly instead.
    pub fn of_mean(mean: f64) -> Option<Band> {
        if !mean.is_finite() {
            return None;
        }
        let h = (mean * 100.0 + 0.5 + 1e-9).floor();
        Band::of_hundredths(Hundredths(h as i64))
    }

    /// The lowest and highest mean of the band, inclusive.
    pub fn range(self) -> (Hundredths, Hundredths) {
        let (lo, hi) = match self {
            Band::Highest => (421, 500),
            Band::High => (341, 420),
            Band::Moderate => (261, 340),
            Band::Low => (181, 260),
            Band::Lowest => (100, 180),
        };
        (Hundredths(lo), Hundredths(hi))
    }

    pub fn key(self) -> &'static str {
        match self {
            Band::Highest => "highest",
            Band::High => "high",
            Band::Moderate => "moderate",
            Band::Low => "low",
            Band::Lowest => "lowest",
        }
    }

    pub fn from_key(key: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|b| b.key() == key)
    }

    pub fn label_th(self) -> &'static str {
        match self {
            Band::Highest => "มากที่สุด",
            Band::High => "มาก",
            Band::Moderate => "ปานกลาง",
            Band::Low => "น้อย",
            Band::Lowest => "น้อยที่สุด",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Band::Highest => "Highest",
            Band::High => "High",
            Band::Moderate => "Moderate",
            Band::Low => "Low",
            Band::Lowest => "Lowest",
        }
    }
}

/// One tally per dimension (overall and the five aspects): a rollup, or a report's
/// merge of rollups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingSums {
    /// Indexed by `Dimension::index`.
    tallies: [Tally; 6],
}

impl RatingSums {
    /// A rating adds to every dimension: its score, or "not applicable" for an aspect it
    /// does not answer, so each aspect's scores and not-applicables add up to the
    /// number of ratings.
    pub fn add(&mut self, r: &RatingInput) {
        for d in Dimension::ALL {
            self.tallies[d.index()].add_answer(r.answer(d));
        }
    }

    pub fn merge(&mut self, other: &RatingSums) {
        for (mine, theirs) in self.tallies.iter_mut().zip(&other.tallies) {
            mine.merge(theirs);
        }
    }

    pub fn get(&self, d: Dimension) -> &Tally {
        &self.tallies[d.index()]
    }

    /// For reading a rollup back from storage, one dimension at a time.
    pub fn set(&mut self, d: Dimension, t: Tally) {
        self.tallies[d.index()] = t;
    }

    /// The number of ratings: every rating has an overall score.
    pub fn ratings(&self) -> u64 {
        self.get(Dimension::Overall).count()
    }

    /// What a summary report prints per dimension, with the change from the previous
    /// period when it is given.
    pub fn summary(&self, previous: Option<&RatingSums>) -> Vec<DimensionSummary> {
        Dimension::ALL
            .into_iter()
            .map(|d| {
                let t = self.get(d);
                DimensionSummary {
                    dimension: d,
                    count: t.count(),
                    not_applicable: t.not_applicable(),
                    mean: t.mean_rounded(),
                    std_dev: t.std_dev(),
                    band: t.band(),
                    share_satisfied: t.share_satisfied(),
                    distribution: t.distribution(),
                    change: previous.and_then(|p| t.change_from(p.get(d))),
                }
            })
            .collect()
    }
}

/// One dimension's line of a summary report. `None` means "not enough ratings" (or, for
/// `change`, no previous period with enough).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DimensionSummary {
    pub dimension: Dimension,
    pub count: u64,
    pub not_applicable: u64,
    pub mean: Option<Hundredths>,
    pub std_dev: Option<f64>,
    pub band: Option<Band>,
    pub share_satisfied: Option<f64>,
    pub distribution: [(Score, u64); 5],
    pub change: Option<Hundredths>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rating::Service;

    fn s(v: i64) -> Score {
        Score::new(v).unwrap()
    }

    fn tally(scores: &[i64]) -> Tally {
        let mut t = Tally::default();
        for &v in scores {
            t.add(s(v));
        }
        t
    }

    /// A small deterministic generator, so the property checks need no crate and fail
    /// the same way every run.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    #[test]
    fn sums_follow_from_the_counts() {
        let t = tally(&[5, 4, 4, 3, 1]);
        assert_eq!(t.count(), 5);
        assert_eq!(t.sum(), 17);
        assert_eq!(t.sum_of_squares(), 25 + 16 + 16 + 9 + 1);
        assert_eq!(t.count_of(s(4)), 2);
        assert_eq!(t.count_of(s(2)), 0);
        assert_eq!(
            t.distribution().map(|(s, n)| (s.get(), n)),
            [(5, 1), (4, 2), (3, 1), (2, 0), (1, 1)]
        );
        assert_eq!(Tally::from_parts(5, 17, 67, [1, 0, 1, 2, 1], 0), Some(t));
        assert_eq!(Tally::from_parts(5, 18, 67, [1, 0, 1, 2, 1], 0), None);
    }

    #[test]
    fn no_mean_from_fewer_than_five() {
        let four = tally(&[5, 5, 5, 5]);
        assert_eq!(four.count(), 4);
        assert_eq!(four.mean(), None);
        assert_eq!(four.mean_rounded(), None);
        assert_eq!(four.std_dev(), None);
        assert_eq!(four.band(), None);
        assert_eq!(four.share_satisfied(), None);
        assert_eq!(Tally::default().mean(), None);
        let mut five = four;
        five.add(s(4));
        assert_eq!(five.mean(), Some(4.8));
        assert_eq!(five.mean_rounded(), Some(Hundredths(480)));
        assert_eq!(five.band(), Some(Band::Highest));
        // Not applicable answers are not ratings.
        let mut na = four;
        na.add_not_applicable();
        na.add_not_applicable();
        assert_eq!(na.mean(), None);
        assert_eq!(na.not_applicable(), 2);
    }

    #[test]
    fn sample_standard_deviation() {
        let t = tally(&[5, 4, 4, 3, 1]);
        // mean 3.4; squared deviations 2.56+0.36+0.36+0.16+5.76 = 9.2; /4 = 2.3
        assert!((t.std_dev().unwrap() - 2.3f64.sqrt()).abs() < 1e-12);
        assert_eq!(tally(&[4, 4, 4, 4, 4, 4]).std_dev(), Some(0.0));
        let t = tally(&[1, 5, 1, 5, 1, 5]);
        // mean 3, deviations ±2, 6·4/5 = 4.8
        assert!((t.std_dev().unwrap() - 4.8f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn share_satisfied_is_fours_and_fives() {
        let t = tally(&[5, 4, 3, 2, 1, 5, 4, 4]);
        assert_eq!(t.share_satisfied(), Some(5.0 / 8.0));
        assert_eq!(tally(&[3, 3, 3, 3, 3]).share_satisfied(), Some(0.0));
    }

    #[test]
    fn bands_at_their_boundaries() {
        let h = |v| Band::of_hundredths(Hundredths(v));
        assert_eq!(h(500), Some(Band::Highest));
        assert_eq!(h(421), Some(Band::Highest));
        assert_eq!(h(420), Some(Band::High));
        assert_eq!(h(341), Some(Band::High));
        assert_eq!(h(340), Some(Band::Moderate));
        assert_eq!(h(261), Some(Band::Moderate));
        assert_eq!(h(260), Some(Band::Low));
        assert_eq!(h(181), Some(Band::Low));
        assert_eq!(h(180), Some(Band::Lowest));
        assert_eq!(h(100), Some(Band::Lowest));
        assert_eq!(h(99), None);
        assert_eq!(h(501), None);
        let labels: Vec<&str> = Band::ALL.iter().map(|b| b.label_th()).collect();
        assert_eq!(labels, ["มากที่สุด", "มาก", "ปานกลาง", "น้อย", "น้อยที่สุด"]);
    }

    #[test]
    fn a_mean_is_rounded_to_two_decimals_before_its_band() {
        assert_eq!(Band::of_mean(4.205), Some(Band::Highest));
        assert_eq!(Band::of_mean(4.2049), Some(Band::High));
        assert_eq!(Band::of_mean(4.2), Some(Band::High));
        assert_eq!(Band::of_mean(3.405), Some(Band::High));
        assert_eq!(Band::of_mean(3.404), Some(Band::Moderate));
        assert_eq!(Band::of_mean(1.805), Some(Band::Low));
        assert_eq!(Band::of_mean(1.0), Some(Band::Lowest));
        assert_eq!(Band::of_mean(5.0), Some(Band::Highest));
        assert_eq!(Band::of_mean(0.99), None);
        assert_eq!(Band::of_mean(f64::NAN), None);

        // 841 / 200 = 4.205 exactly: 4.21, the highest band.
        let mut t = Tally::from_counts([0, 0, 0, 159, 41], 0);
        assert_eq!((t.sum(), t.count()), (841, 200));
        assert_eq!(t.mean_rounded(), Some(Hundredths(421)));
        assert_eq!(t.band(), Some(Band::Highest));
        // One more 4: 845/201 = 4.2039…, 4.20, the band below.
        t.add(s(4));
        assert_eq!(t.mean_rounded(), Some(Hundredths(420)));
        assert_eq!(t.band(), Some(Band::High));
        // 4.333… rounds down, 4.1666… up.
        assert_eq!(
            tally(&[5, 5, 4, 4, 4, 4]).mean_rounded(),
            Some(Hundredths(433))
        );
        assert_eq!(
            tally(&[5, 4, 4, 4, 4, 4]).mean_rounded(),
            Some(Hundredths(417))
        );
    }

    #[test]
    fn hundredths_print_as_reports_do() {
        assert_eq!(Hundredths(421).to_string(), "4.21");
        assert_eq!(Hundredths(500).to_string(), "5.00");
        assert_eq!(Hundredths(7).to_string(), "0.07");
        assert_eq!(Hundredths(-5).to_string(), "-0.05");
        assert_eq!(Hundredths(12).signed(), "+0.12");
        assert_eq!(Hundredths(0).signed(), "0.00");
        assert_eq!(Hundredths(-130).signed(), "-1.30");
        assert_eq!(Hundredths(421).as_f64(), 4.21);
    }

    #[test]
    fn change_from_the_previous_period() {
        let now = tally(&[5, 5, 4, 4, 4]); // 4.40
        let before = tally(&[4, 4, 4, 3, 4]); // 3.80
        assert_eq!(now.change_from(&before), Some(Hundredths(60)));
        assert_eq!(before.change_from(&now), Some(Hundredths(-60)));
        assert_eq!(now.change_from(&tally(&[5])), None);
        assert_eq!(tally(&[5]).change_from(&now), None);
    }

    #[test]
    fn merging_tallies_equals_tallying_the_union() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..500 {
            let len = rng.below(60) as usize;
            let answers: Vec<Option<i64>> = (0..len)
                .map(|_| match rng.below(6) {
                    0 => None,
                    v => Some(v as i64),
                })
                .collect();
            let mut whole = Tally::default();
            for a in &answers {
                match a {
                    Some(v) => whole.add(s(*v)),
                    None => whole.add_not_applicable(),
                }
            }
            // Split into random parts, tally each, merge in a random order.
            let mut parts: Vec<Tally> = Vec::new();
            let mut at = 0;
            while at < len {
                let n = 1 + rng.below((len - at) as u64) as usize;
                let mut t = Tally::default();
                for a in &answers[at..at + n] {
                    t.add_answer(a.map_or(DimensionAnswer::NotApplicable, |v| {
                        DimensionAnswer::Score(s(v))
                    }));
                }
                parts.push(t);
                at += n;
            }
            let mut merged = Tally::default();
            while !parts.is_empty() {
                let i = rng.below(parts.len() as u64) as usize;
                merged.merge(&parts.swap_remove(i));
            }
            assert_eq!(merged, whole);

            // And the statistics agree with a direct computation over the scores.
            let xs: Vec<f64> = answers.iter().flatten().map(|&v| v as f64).collect();
            assert_eq!(whole.count(), xs.len() as u64);
            if xs.len() < 5 {
                assert_eq!(whole.mean(), None);
                continue;
            }
            let n = xs.len() as f64;
            let mean = xs.iter().sum::<f64>() / n;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
            assert!((whole.mean().unwrap() - mean).abs() < 1e-9);
            assert!((whole.std_dev().unwrap() - var.sqrt()).abs() < 1e-9);
            let printed = whole.mean_rounded().unwrap();
            assert!((printed.as_f64() - mean).abs() <= 0.005 + 1e-9);
            assert_eq!(whole.band(), Band::of_hundredths(printed));
            let satisfied = xs.iter().filter(|&&x| x >= 4.0).count() as f64;
            assert_eq!(whole.share_satisfied(), Some(satisfied / n));
        }
    }

    #[test]
    fn merging_is_commutative_and_associative() {
        let mut rng = XorShift(42);
        let mut random = || {
            let mut counts = [0u64; 5];
            counts.iter_mut().for_each(|c| *c = rng.below(1_000));
            Tally::from_counts(counts, rng.below(100))
        };
        for _ in 0..200 {
            let (a, b, c) = (random(), random(), random());
            let mut ab = a;
            ab.merge(&b);
            let mut ba = b;
            ba.merge(&a);
            assert_eq!(ab, ba);
            let mut ab_c = ab;
            ab_c.merge(&c);
            let mut bc = b;
            bc.merge(&c);
            let mut a_bc = a;
            a_bc.merge(&bc);
            assert_eq!(ab_c, a_bc);
            let mut a0 = a;
            a0.merge(&Tally::default());
            assert_eq!(a0, a);
        }
    }

    fn rating(overall: i64, staff: Option<i64>) -> RatingInput {
        RatingInput {
            overall: s(overall),
            dimensions: staff
                .map(|v| vec![(Dimension::Staff, DimensionAnswer::Score(s(v)))])
                .unwrap_or_default(),
            service: Service::Other,
            comment: None,
            contact: None,
        }
    }

    #[test]
    fn rating_sums_per_dimension() {
        let mut day1 = RatingSums::default();
        let mut day2 = RatingSums::default();
        for (o, st) in [(5, Some(5)), (4, None), (5, Some(4))] {
            day1.add(&rating(o, st));
        }
        for (o, st) in [(3, Some(2)), (4, Some(4)), (5, None)] {
            day2.add(&rating(o, st));
        }
        let mut all = RatingSums::default();
        for (o, st) in [
            (5, Some(5)),
            (4, None),
            (5, Some(4)),
            (3, Some(2)),
            (4, Some(4)),
            (5, None),
        ] {
            all.add(&rating(o, st));
        }
        let mut merged = day1;
        merged.merge(&day2);
        assert_eq!(merged, all);
        assert_eq!(all.ratings(), 6);
        assert_eq!(all.get(Dimension::Staff).count(), 4);
        assert_eq!(all.get(Dimension::Staff).not_applicable(), 2);
        for d in Dimension::ASPECTS {
            let t = all.get(d);
            assert_eq!(t.count() + t.not_applicable(), all.ratings(), "{d:?}");
        }
        assert_eq!(all.get(Dimension::Place).count(), 0);

        let mut read_back = RatingSums::default();
        for d in Dimension::ALL {
            read_back.set(d, *all.get(d));
        }
        assert_eq!(read_back, all);
    }

    #[test]
    fn a_summary_with_its_change() {
        let mut now = RatingSums::default();
        for o in [5, 5, 4, 4, 4, 3] {
            now.add(&rating(o, Some(4)));
        }
        let mut before = RatingSums::default();
        for o in [4, 4, 4, 4, 4] {
            before.add(&rating(o, None));
        }
        let lines = now.summary(Some(&before));
        assert_eq!(lines.len(), 6);
        let overall = &lines[0];
        assert_eq!(overall.dimension, Dimension::Overall);
        assert_eq!(overall.count, 6);
        assert_eq!(overall.mean, Some(Hundredths(417)));
        assert_eq!(overall.band, Some(Band::High));
        assert_eq!(overall.change, Some(Hundredths(17)));
        assert_eq!(overall.distribution[0], (s(5), 2));
        let staff = &lines[Dimension::Staff.index()];
        assert_eq!(staff.mean, Some(Hundredths(400)));
        assert_eq!(staff.change, None, "no staff scores before");
        let place = &lines[Dimension::Place.index()];
        assert_eq!((place.count, place.not_applicable), (0, 6));
        assert_eq!((place.mean, place.std_dev, place.band), (None, None, None));
        assert!(now.summary(None).iter().all(|l| l.change.is_none()));
    }
}
