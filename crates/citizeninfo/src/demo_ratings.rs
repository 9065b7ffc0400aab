//! Ratings for the demo, so that a fresh `serve --demo` has reports, comments and
//! trends to show: a few months of ratings at every demo service point, made with a
//! fixed seed (the same every time) and stored as the rating path stores them, rollups
//! and all. Tests load the demo without them.

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use storage::{Counted, Db, NewRating, PosterLookup, Submission};

/// Days back from today that the demo's ratings cover.
const DAYS: i64 = 150;

const COMMENTS: &[&str] = &[
    "เจ้าหน้าที่ให้บริการดี พูดจาสุภาพ",
    "รอคิวนานไปหน่อย ช่วงเช้ามีคนมาก",
    "ที่จอดรถไม่พอ",
    "ได้รับคำแนะนำครบถ้วน ขอบคุณครับ",
    "อยากให้มีป้ายบอกขั้นตอนชัดเจนกว่านี้",
    "บริการรวดเร็ว ประทับใจ",
];

/// A score from 1 to 5, mostly satisfied, as ratings at a counter tend to be.
fn score(rng: &mut StdRng, lean: f64) -> u8 {
    let x: f64 = rng.random::<f64>() + lean;
    match x {
        x if x > 1.05 => 5,
        x if x > 0.7 => 4,
        x if x > 0.35 => 3,
        x if x > 0.15 => 2,
        _ => 1,
    }
}

/// Makes the posters of every demo service point and stores their ratings; does
/// nothing when any rating exists. Returns how many were stored.
pub async fn seed(db: &Db, now: DateTime<Utc>) -> Result<usize> {
    if db.rating_count().await? > 0 {
        return Ok(0);
    }
    let points: Vec<i64> = db
        .staff_tree()
        .await?
        .points
        .iter()
        .filter(|p| p.archived_at.is_none())
        .map(|p| p.unit_id)
        .collect();
    let posters = db
        .ensure_posters(&points, &mut app::posters::fresh_token, now)
        .await?;
    let mut rng = StdRng::seed_from_u64(2569);
    let mut batch = Vec::new();
    for (i, poster) in posters.iter().enumerate() {
        let PosterLookup::Live(target) = db.poster_lookup(&poster.token).await? else {
            continue;
        };
        // Offices differ: some are liked more than others.
        let lean = (i % 5) as f64 * 0.08;
        let count = 20 + (i * 7) % 40;
        for _ in 0..count {
            let at = now - Duration::minutes(rng.random_range(0..DAYS * 24 * 60));
            let overall = score(&mut rng, lean);
            let mut scores = [Some(overall), None, None, None, None, None];
            for s in scores.iter_mut().skip(1) {
                if rng.random_bool(0.8) {
                    *s = Some(score(&mut rng, lean));
                }
            }
            let manual_id = (!target.manuals.is_empty() && rng.random_bool(0.7))
                .then(|| target.manuals[rng.random_range(0..target.manuals.len())].0);
            let comment = rng
                .random_bool(0.15)
                .then(|| COMMENTS[rng.random_range(0..COMMENTS.len())].to_owned());
            batch.push(Submission::Rating(NewRating {
                at: Counted {
                    point_id: target.point_id,
                    chain: target.chain.clone(),
                    area: target.area.clone(),
                    day: app::ratings::bangkok_day(at),
                },
                received_at: at,
                scores,
                manual_id,
                comment,
                email: None,
                phone: None,
                guards: Vec::new(),
            }));
        }
    }
    let n = batch.len();
    for chunk in batch.chunks(500) {
        db.store_submissions(chunk)
            .await
            .context("storing the demo ratings")?;
    }
    Ok(n)
}
