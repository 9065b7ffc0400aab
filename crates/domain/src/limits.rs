//! How often a person, an account or a network address may try what can be abused:
//! guessing passwords and Authorize Codes, and making the system send mail. Each limit
//! is a number of tries in a fixed window; the figures are chosen for offices where a
//! whole district office (or a training room at the province) shares one address.

use chrono::{DateTime, Duration, Utc};

/// A number of tries allowed per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Names the counter, so that two limits on the same subject count apart.
    pub name: &'static str,
    pub max: i64,
    pub window_minutes: i64,
}

impl Limit {
    pub fn window(&self) -> Duration {
        Duration::minutes(self.window_minutes)
    }

    /// Whether a try that brought the window's count to `count` is allowed.
    pub fn allows(&self, count: i64) -> bool {
        count <= self.max
    }

    /// Whole seconds until a window that began at `start` is over (at least 1).
    pub fn retry_after(&self, start: DateTime<Utc>, now: DateTime<Utc>) -> u64 {
        let left = (start + self.window() - now).num_seconds();
        left.max(1) as u64
    }
}

/// Failed sign-ins per account, and per address (many people, one office network).
pub const SIGNIN_PER_ACCOUNT: Limit = Limit {
    name: "signin.account",
    max: 5,
    window_minutes: 15,
};
pub const SIGNIN_PER_ADDRESS: Limit = Limit {
    name: "signin.address",
    max: 20,
    window_minutes: 15,
};
/// Wrong Authorize Codes per account and per address.
pub const CODE_PER_ACCOUNT: Limit = Limit {
    name: "code.account",
    max: 5,
    window_minutes: 15,
};
pub const CODE_PER_ADDRESS: Limit = Limit {
    name: "code.address",
    max: 20,
    window_minutes: 15,
};
/// Requests for a link mailed to one address or account (reset, verification again),
/// counted before the account is looked up, so that the answers are the same for an
/// address with an account and one without: enough for a person who mistypes twice.
pub const MAIL_REQUESTS_PER_RECIPIENT: Limit = Limit {
    name: "mail.request",
    max: 3,
    window_minutes: 60,
};
/// Mail actually sent to one mailbox, of any kind (verification, reset, "someone used
/// your address"); beyond it mail is dropped without a word, too few to flood.
pub const MAIL_PER_RECIPIENT: Limit = Limit {
    name: "mail.recipient",
    max: 5,
    window_minutes: 60,
};
/// Requests for mail from one address, to any recipients.
pub const MAIL_PER_ADDRESS: Limit = Limit {
    name: "mail.address",
    max: 30,
    window_minutes: 60,
};
/// Sign-ups from one address: a training room of a province office signs up together.
pub const SIGNUP_PER_ADDRESS: Limit = Limit {
    name: "signup.address",
    max: 20,
    window_minutes: 60,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_allows_up_to_its_maximum() {
        assert!(SIGNIN_PER_ACCOUNT.allows(1));
        assert!(SIGNIN_PER_ACCOUNT.allows(5));
        assert!(!SIGNIN_PER_ACCOUNT.allows(6));
    }

    #[test]
    fn retry_after_counts_to_the_end_of_the_window() {
        let start = DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let l = SIGNIN_PER_ACCOUNT;
        assert_eq!(l.retry_after(start, start), 900);
        assert_eq!(l.retry_after(start, start + Duration::seconds(899)), 1);
        // Never zero, even at or past the end.
        assert_eq!(l.retry_after(start, start + Duration::minutes(20)), 1);
    }
}
