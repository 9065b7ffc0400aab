-- Rate limits that every instance shares: one counter per key and window, counted and
-- checked in one statement. Keys are keyed hashes of what is limited (an account, a
-- network address, an e-mail address), never the thing itself.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    window_start TEXT NOT NULL,
    hits BIGINT NOT NULL
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

-- The throttle no longer counts the audit log.
DROP INDEX audit_log_actor;
DROP INDEX audit_log_address;

-- E-mail addresses are unique regardless of case (ALICE@ and alice@ are one mailbox
-- in practice). The key is lower-cased by the application; existing rows get SQL's
-- lower(), and where two rows already differ only in case the later one keeps no key
-- (it still signs in by username) rather than the migration failing.
ALTER TABLE users ADD COLUMN email_key TEXT;
UPDATE users SET email_key = lower(email)
 WHERE email IS NOT NULL
   AND id = (SELECT MIN(u2.id) FROM users u2 WHERE lower(u2.email) = lower(users.email));
DROP INDEX users_email;
CREATE UNIQUE INDEX users_email_key ON users (email_key) WHERE email_key IS NOT NULL;
