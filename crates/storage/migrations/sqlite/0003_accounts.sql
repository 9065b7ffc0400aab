-- Staff accounts: one per person, bound to units through memberships with a role.
-- Personal data is kept to what the flows need: the citizen ID only as a keyed hash and
-- its last digits, passwords only as argon2id hashes, e-mail links only as hashes.

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    -- Lower-cased: usernames are unique regardless of case.
    username_key TEXT NOT NULL UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT,
    email_verified_at TEXT,
    mobile TEXT,
    citizen_id_hash TEXT,
    citizen_id_last TEXT,
    -- argon2id in PHC form; NULL for an account that only signs in with OpenID Connect.
    password_hash TEXT,
    is_system_admin BOOLEAN NOT NULL,
    oidc_issuer TEXT,
    oidc_subject TEXT,
    created_at TEXT NOT NULL,
    password_changed_at TEXT
);
CREATE UNIQUE INDEX users_email ON users (email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX users_oidc ON users (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;

-- Sessions of the web layer, so that any instance can serve any request; `user_id`
-- lets a password change end every session of its account.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    data TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Single-use links sent by e-mail: address verification and password reset.
CREATE TABLE email_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('verify', 'reset')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX email_tokens_user ON email_tokens (user_id, purpose);

CREATE TABLE memberships (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('supervisor', 'admin', 'editor', 'viewer')),
    created_at TEXT NOT NULL,
    created_by TEXT,
    PRIMARY KEY (user_id, unit_id)
);
CREATE INDEX memberships_unit ON memberships (unit_id);

-- Keys the server makes for itself when none is configured (the citizen ID hash key).
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Throttling counts recent failures by account and by address.
CREATE INDEX audit_log_actor ON audit_log (action, actor, at);
CREATE INDEX audit_log_address ON audit_log (action, address, at);
ALTER TABLE audit_log ADD COLUMN user_id BIGINT REFERENCES users (id) ON DELETE SET NULL;

-- Personal API tokens: shown once, kept as a hash, revocable.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
