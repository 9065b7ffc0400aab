-- Authorize Codes (รหัสการอนุญาตใช้งานระบบ) and the audit log.
-- A unit has at most one active code; rotated and revoked codes stay for the record.
-- Codes are kept readable: supervising offices hand them out (letters, spreadsheets).

CREATE TABLE authorize_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT,
    revoked_at TEXT,
    revoked_by TEXT
);
CREATE UNIQUE INDEX authorize_codes_active ON authorize_codes (unit_id) WHERE revoked_at IS NULL;

-- Who did what, when, from where. Append-only.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT,
    action TEXT NOT NULL,
    unit_id BIGINT REFERENCES units (id) ON DELETE SET NULL,
    detail TEXT,
    address TEXT
);
CREATE INDEX audit_log_unit ON audit_log (unit_id, at);
