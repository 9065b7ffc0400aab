//! Counting tries against the limits of `domain::limits`, atomically with the check.

use chrono::{Duration, Utc};
use domain::account;
use domain::limits::{self, Limit};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{Address, App, AppError, Result};

/// The key a limit counts under: a keyed hash of the limit's name and its subject (an
/// account name, a network address, an e-mail address), so that the counters name no
/// one.
fn limit_key(app: &App, limit: &Limit, subject: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&app.secret_key).expect("HMAC takes any key length");
    mac.update(limit.name.as_bytes());
    mac.update(b"\n");
    mac.update(subject.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Counts one try against each limit, atomically with the check, and refuses it when
/// any limit is over: however many tries arrive at once, at most the limit pass. The
/// keys are returned to hand the try back when it turns out not to count.
pub(crate) async fn take(app: &App, tries: &[(Limit, &str)]) -> Result<Vec<String>> {
    let now = Utc::now();
    let keys: Vec<String> = tries
        .iter()
        .map(|(l, subject)| limit_key(app, l, subject))
        .collect();
    let counted: Vec<(&str, Duration)> = keys
        .iter()
        .zip(tries)
        .map(|(k, (l, _))| (k.as_str(), l.window()))
        .collect();
    let hits = app
        .db
        .hit_limits(&counted, now)
        .await
        .map_err(AppError::internal)?;
    let wait = tries
        .iter()
        .zip(&hits)
        .filter(|((l, _), h)| !l.allows(h.count))
        .map(|((l, _), h)| l.retry_after(h.window_start, now))
        .max();
    match wait {
        Some(retry_after) => Err(AppError::Throttled { retry_after }),
        None => Ok(keys),
    }
}

/// Hands back tries that turned out not to be failures (the right password).
pub(crate) async fn refund(app: &App, keys: &[String]) -> Result<()> {
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    app.db
        .refund_limits(&keys)
        .await
        .map_err(AppError::internal)
}

/// One limit on the account and, when the request has one, one on its address.
pub(crate) fn per_account_and_address<'a>(
    account: (Limit, &'a str),
    by_address: Limit,
    address: Address<'a>,
) -> Vec<(Limit, &'a str)> {
    let mut tries = vec![account];
    if let Some(a) = address {
        tries.push((by_address, a));
    }
    tries
}

/// Whether one more mail may go to this recipient this hour; counts it when so. Mail
/// refused here is dropped without a word to the requester, who is told the same as
/// for any other address.
pub(crate) async fn mail_allowed(app: &App, recipient: &str) -> Result<bool> {
    let key = account::email_key(recipient);
    match take(app, &[(limits::MAIL_PER_RECIPIENT, &key)]).await {
        Ok(_) => Ok(true),
        Err(AppError::Throttled { .. }) => {
            tracing::info!("mail to a recipient over its hourly limit not sent");
            Ok(false)
        }
        Err(e) => Err(e),
    }
}
