//! A citizen rates a service point from its poster: the form's page, the submission
//! with its abuse checks (a signed form token with a least time to fill, a trap field,
//! per-client counters on hashes whose key changes daily), and the group commit that
//! acknowledges a rating only once it is durably stored.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Problem;
use domain::rating::{Contact, Dimension, RatingForm, RatingInput, Service};
use domain::rating_guard::{
    Guard, PER_ADDRESS_PER_DAY, PER_ADDRESS_PER_HOUR, PER_CLIENT_PER_DAY, REPEAT_WITHIN, Refusal,
    judge_form_age,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use storage::{Counted, NewRating, Outcome, PosterLookup, RatingTarget, Submission};
use tokio::sync::{mpsc, oneshot};

use crate::App;

/// The most submissions one transaction stores.
const MAX_BATCH: usize = 512;
/// Submissions waiting for the writer beyond which new ones are refused as busy, so
/// that a flood queues no more than a few seconds of work.
const QUEUE: usize = 20_000;
/// How long contacts for a reply are kept.
pub const CONTACT_DAYS: i64 = 90;

/// What a poster's address leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum Poster {
    /// Taking ratings.
    Open(RatingTarget),
    /// Switched off, or its service point archived.
    Off(RatingTarget),
    /// Replaced by a newer print.
    Retired,
    Unknown,
}

/// Why a submission was not stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    Unknown,
    Retired,
    Off,
    /// The fields, each problem worded in Thai and English.
    Invalid(Vec<Problem>),
    /// An abuse check; counted in the reports.
    Guarded(Refusal),
    /// The writer's queue is full; try again in a moment.
    Busy,
    Internal(String),
}

/// The browser that sends a rating, as the server sees it: only ever hashed, never
/// stored.
#[derive(Debug, Clone, Copy, Default)]
pub struct Client<'a> {
    pub address: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// A submission as sent: the form, its token, and the trap field.
#[derive(Debug, Clone, Default)]
pub struct Sent {
    pub form: RatingForm,
    pub form_token: Option<String>,
    /// The field people never see; anything in it is a robot's.
    pub trap: Option<String>,
}

type Job = (Submission, oneshot::Sender<Result<Outcome, String>>);

/// The state of the rating path inside [`App`]: the writer's queue, the day key, and
/// the posters looked up lately.
#[derive(Default)]
pub struct Ratings {
    writer: OnceLock<mpsc::Sender<Job>>,
    day_key: Mutex<Option<(NaiveDate, Arc<[u8]>)>>,
    posters: Mutex<HashMap<String, (Instant, PosterLookup)>>,
}

/// How long a looked-up poster is reused: a burst at one counter reads it once. A
/// switch or rotation on this instance forgets them at once; other instances follow
/// within this.
const POSTER_CACHE: Duration = Duration::from_secs(5);
/// Posters remembered at most; past it the memory is emptied and filled again.
const POSTER_CACHE_ENTRIES: usize = 50_000;

impl Ratings {
    /// Forgets every poster looked up (after a switch or rotation).
    pub(crate) fn forget_posters(&self) {
        self.posters.lock().expect("not poisoned").clear();
    }
}

async fn lookup(app: &App, token: &str) -> crate::Result<PosterLookup> {
    let now = Instant::now();
    if let Some((at, found)) = app.ratings.posters.lock().expect("not poisoned").get(token)
        && now.duration_since(*at) < POSTER_CACHE
    {
        return Ok(found.clone());
    }
    let found = app.db.poster_lookup(token).await?;
    let mut cache = app.ratings.posters.lock().expect("not poisoned");
    if cache.len() >= POSTER_CACHE_ENTRIES {
        cache.clear();
    }
    cache.insert(token.to_owned(), (now, found.clone()));
    Ok(found)
}

/// The date in Bangkok, where every office is.
pub fn bangkok_day(now: DateTime<Utc>) -> NaiveDate {
    domain::hours::bangkok_now(now).date()
}

/// The hour of the day in Bangkok.
fn bangkok_hour(now: DateTime<Utc>) -> u32 {
    use chrono::Timelike;
    domain::hours::bangkok_now(now).hour()
}

/// What the poster's address shows.
pub async fn open(app: &App, token: &str) -> crate::Result<Poster> {
    if !plausible_token(token) {
        return Ok(Poster::Unknown);
    }
    Ok(match lookup(app, token).await? {
        PosterLookup::Live(t) if t.enabled && !t.archived => Poster::Open(t),
        PosterLookup::Live(t) => Poster::Off(t),
        PosterLookup::Retired => Poster::Retired,
        PosterLookup::Unknown => Poster::Unknown,
    })
}

/// Tokens are made by `posters::fresh_token`; anything else is not looked up.
pub fn plausible_token(token: &str) -> bool {
    (10..=64).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The signed token of a form served now for `poster`: when it was served, and a MAC
/// over that and the poster, so that it cannot be made up or moved to another poster.
pub fn form_token(app: &App, poster: &str, now: DateTime<Utc>) -> String {
    sign_form(&app.secret_key, poster, now)
}

fn form_mac(secret: &[u8], poster: &str, at: i64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"rating-form\n");
    mac.update(poster.as_bytes());
    mac.update(b"\n");
    mac.update(at.to_string().as_bytes());
    mac
}

fn sign_form(secret: &[u8], poster: &str, now: DateTime<Utc>) -> String {
    let at = now.timestamp();
    let tag = form_mac(secret, poster, at).finalize().into_bytes();
    format!("{at}.{}", hex::encode(&tag[..16]))
}

/// When the form was served, from its token; `None` for a missing or forged token.
fn served_at(secret: &[u8], poster: &str, token: Option<&str>) -> Option<DateTime<Utc>> {
    let (at, tag) = token?.trim().split_once('.')?;
    let at: i64 = at.parse().ok()?;
    let tag = hex::decode(tag).ok()?;
    if tag.len() != 16 {
        return None;
    }
    // Compared in constant time by the MAC's own check.
    form_mac(secret, poster, at)
        .verify_truncated_left(&tag)
        .ok()?;
    DateTime::from_timestamp(at, 0)
}

/// Checks and stores a rating of the poster `token`: its id once it is durably
/// stored, or why not. Every refusal by an abuse check is counted in the reports.
pub async fn submit(
    app: &App,
    token: &str,
    client: Client<'_>,
    sent: &Sent,
) -> Result<i64, Refused> {
    let target = match open(app, token).await {
        Ok(Poster::Open(t)) => t,
        Ok(Poster::Off(_)) => return Err(Refused::Off),
        Ok(Poster::Retired) => return Err(Refused::Retired),
        Ok(Poster::Unknown) => return Err(Refused::Unknown),
        Err(e) => return Err(Refused::Internal(format!("{e:?}"))),
    };
    let now = Utc::now();
    let counted = Counted {
        point_id: target.point_id,
        chain: target.chain.clone(),
        area: target.area.clone(),
        day: bangkok_day(now),
    };
    let early = if sent.trap.as_deref().is_some_and(|t| !t.trim().is_empty()) {
        Some(Refusal::Trap)
    } else {
        match served_at(&app.secret_key, token, sent.form_token.as_deref()) {
            None => Some(Refusal::Form),
            Some(served) => judge_form_age(served, now),
        }
    };
    if let Some(why) = early {
        // Counted, not awaited: the refusal's answer does not wait for a commit.
        let _ = enqueue(app, Submission::Refused(counted, why)).await;
        return Err(Refused::Guarded(why));
    }
    let pinned: Vec<i64> = target.manuals.iter().map(|m| m.0).collect();
    let input = sent.form.parse(&pinned).map_err(Refused::Invalid)?;
    let guards = guards(app, token, client, counted.day, bangkok_hour(now))
        .await
        .map_err(|e| Refused::Internal(format!("{e:?}")))?;
    let rating = new_rating(counted, now, &input, guards);
    let outcome = enqueue(app, Submission::Rating(rating)).await?;
    let outcome = outcome.await.map_err(|_| Refused::Busy)?;
    match outcome {
        Ok(Outcome::Stored(id)) => Ok(id),
        Ok(Outcome::Refused(why)) => Err(Refused::Guarded(why)),
        Err(e) => Err(Refused::Internal(e)),
    }
}

fn new_rating(
    at: Counted,
    now: DateTime<Utc>,
    input: &RatingInput,
    guards: Vec<Guard>,
) -> NewRating {
    let mut scores = [None; 6];
    for d in Dimension::ALL {
        scores[d.index()] = input.answer(d).score().map(|s| s.get());
    }
    let (email, phone) = match &input.contact {
        Some(Contact::Email(e)) => (Some(e.clone()), None),
        Some(Contact::Phone(p)) => (None, Some(p.clone())),
        None => (None, None),
    };
    NewRating {
        at,
        received_at: now,
        scores,
        manual_id: match input.service {
            Service::Manual(id) => Some(id),
            Service::Other => None,
        },
        comment: input.comment.clone(),
        email,
        phone,
        guards,
    }
}

/// The counters a rating hits: its client (address and browser) on this poster, and
/// its address on this poster today and this hour, under the day's key.
async fn guards(
    app: &App,
    poster: &str,
    client: Client<'_>,
    day: NaiveDate,
    hour: u32,
) -> crate::Result<Vec<Guard>> {
    let Some(address) = client.address else {
        return Ok(Vec::new());
    };
    let key = day_key(app, day).await?;
    let hash = |parts: &[&str]| {
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
        for p in parts {
            mac.update(p.as_bytes());
            mac.update(b"\n");
        }
        hex::encode(&mac.finalize().into_bytes()[..16])
    };
    Ok(vec![
        Guard {
            key: hash(&["client", poster, address, client.user_agent.unwrap_or("")]),
            max_per_day: PER_CLIENT_PER_DAY,
            repeat_within: Some(REPEAT_WITHIN),
        },
        Guard {
            key: hash(&["address", poster, address]),
            max_per_day: PER_ADDRESS_PER_DAY,
            repeat_within: None,
        },
        // A counter per clock hour: its key names the hour, so each hour starts anew.
        Guard {
            key: hash(&["address-hour", poster, address, &hour.to_string()]),
            max_per_day: PER_ADDRESS_PER_HOUR,
            repeat_within: None,
        },
    ])
}

/// The day's key, shared by every instance through the database, kept in memory for
/// the day.
async fn day_key(app: &App, day: NaiveDate) -> crate::Result<Arc<[u8]>> {
    if let Some((d, k)) = app.ratings.day_key.lock().expect("not poisoned").as_ref()
        && *d == day
    {
        return Ok(k.clone());
    }
    let fresh = hex::encode(rand::random::<[u8; 32]>());
    let key: Arc<[u8]> = app
        .db
        .rating_day_key(day, &fresh)
        .await?
        .into_bytes()
        .into();
    *app.ratings.day_key.lock().expect("not poisoned") = Some((day, key.clone()));
    Ok(key)
}

/// Hands a submission to the writer; the receiver gets the outcome after the commit.
async fn enqueue(
    app: &App,
    s: Submission,
) -> Result<oneshot::Receiver<Result<Outcome, String>>, Refused> {
    let writer = app
        .ratings
        .writer
        .get_or_init(|| spawn_writer(app.db.clone()));
    let (tx, rx) = oneshot::channel();
    writer.try_send((s, tx)).map_err(|_| Refused::Busy)?;
    Ok(rx)
}

/// The group commit: one task takes whatever has queued while the last commit ran
/// (up to [`MAX_BATCH`]) and stores it in one transaction; each submission's answer is
/// sent only after that commit. A batch that fails is retried one by one, so that one
/// bad row refuses only itself.
fn spawn_writer(db: storage::Db) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(QUEUE);
    tokio::spawn(async move {
        let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
        while let Some(first) = rx.recv().await {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let subs: Vec<Submission> = batch.iter().map(|(s, _)| s.clone()).collect();
            let started = std::time::Instant::now();
            match store_with_retry(&db, &subs).await {
                Ok(outcomes) => {
                    tracing::debug!(
                        submissions = subs.len(),
                        ms = started.elapsed().as_secs_f64() * 1e3,
                        "rating batch committed"
                    );
                    for ((_, answer), outcome) in batch.drain(..).zip(outcomes) {
                        let _ = answer.send(Ok(outcome));
                    }
                }
                Err(_) => {
                    tracing::warn!(
                        submissions = subs.len(),
                        "rating batch failed; storing one by one"
                    );
                    for (s, answer) in batch.drain(..) {
                        let one = store_with_retry(&db, std::slice::from_ref(&s)).await;
                        let _ = answer.send(match one {
                            Ok(mut o) => o.pop().ok_or_else(|| "no outcome".to_owned()),
                            Err(e) => {
                                tracing::error!(error = %e, "a rating was not stored");
                                Err(e.to_string())
                            }
                        });
                    }
                }
            }
        }
    });
    tx
}

/// One retry after a short pause covers a database that was busy for a moment
/// (another process holding the SQLite file).
async fn store_with_retry(
    db: &storage::Db,
    subs: &[Submission],
) -> Result<Vec<Outcome>, storage::StorageError> {
    match db.store_submissions(subs).await {
        Ok(o) => Ok(o),
        Err(first) => {
            tracing::debug!(error = %first, "rating batch failed; retrying once");
            tokio::time::sleep(Duration::from_millis(200)).await;
            db.store_submissions(subs).await
        }
    }
}

/// Forgets yesterday's day keys and client counters, and contacts older than
/// [`CONTACT_DAYS`]; run hourly.
pub async fn housekeeping(app: &App, now: DateTime<Utc>) -> crate::Result<u64> {
    Ok(app
        .db
        .rating_housekeeping(bangkok_day(now), now - chrono::Duration::days(CONTACT_DAYS))
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_token_is_bound_to_its_poster_and_time() {
        let key = b"secret";
        let now = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let t = sign_form(key, "posterone", now);
        assert_eq!(served_at(key, "posterone", Some(&t)), Some(now));
        assert_eq!(served_at(key, "postertwo", Some(&t)), None);
        assert_eq!(served_at(b"other", "posterone", Some(&t)), None);
        let forged = t.replacen("1790000000", "1780000000", 1);
        assert_eq!(served_at(key, "posterone", Some(&forged)), None);
        let short = &t[..t.len() - 2];
        assert_eq!(served_at(key, "posterone", Some(short)), None);
        assert_eq!(served_at(key, "posterone", Some("")), None);
        assert_eq!(served_at(key, "posterone", None), None);
        assert_eq!(served_at(key, "posterone", Some("1.zz")), None);
    }

    #[test]
    fn only_tokens_of_the_right_shape_are_looked_up() {
        assert!(plausible_token("abcdefghijkmnpqrstuvwxyz23"));
        assert!(!plausible_token("short"));
        assert!(!plausible_token("abcdefghijk/../etc"));
        assert!(!plausible_token(&"a".repeat(65)));
    }
}
