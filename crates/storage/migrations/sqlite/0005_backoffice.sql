-- The back office: editing service points with a revision for "no silent overwrite",
-- the data-correct confirmation, archiving, photos with their own identity, the
-- history of every change, and which points each data version changed.

-- Bumped by every saved change; the API's ETag.
ALTER TABLE service_points ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
-- "The data is correct", confirmed by staff; shown on the public page.
ALTER TABLE service_points ADD COLUMN verified_at TEXT;
ALTER TABLE service_points ADD COLUMN verified_by TEXT;
-- An archived point is neither public nor in the staff listing until restored.
ALTER TABLE service_points ADD COLUMN archived_at TEXT;
-- The district (code) of a pin that its editor confirmed outside the address's
-- district, a border office: data quality does not report it again.
ALTER TABLE service_points ADD COLUMN pin_confirmed_district TEXT;
ALTER TABLE manuals ADD COLUMN updated_by TEXT;
-- A manual that needs no documents says so, as one without fees says "no fee".
ALTER TABLE manuals ADD COLUMN no_documents BOOLEAN NOT NULL DEFAULT FALSE;

-- Photos were addressed by position; deleting and reordering needs an identity.
DROP TABLE service_point_photos;
CREATE TABLE photos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_point_id BIGINT NOT NULL REFERENCES service_points (unit_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    is_cover BOOLEAN NOT NULL,
    -- Keys in the object store of the display size and the thumbnail.
    display_key TEXT NOT NULL,
    thumb_key TEXT NOT NULL,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    thumb_width BIGINT NOT NULL,
    thumb_height BIGINT NOT NULL,
    alt_th TEXT NOT NULL,
    alt_en TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT
);
CREATE INDEX photos_service_point ON photos (service_point_id, position);

-- Every change to a service point, photo, pin or manual: who, when, and the state
-- before and after (JSON), from which the history shows each field and a revert
-- restores one. `unit_id` is where it happened (the point, or the manual's owner),
-- so that a supervisor's view of a subtree is one indexed walk.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    actor TEXT NOT NULL,
    subject TEXT NOT NULL CHECK (subject IN ('service_point', 'photo', 'pin', 'manual')),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    manual_key TEXT,
    action TEXT NOT NULL,
    before_state TEXT,
    after_state TEXT,
    note TEXT
);
CREATE INDEX changes_unit ON changes (unit_id, id);
CREATE INDEX changes_manual ON changes (manual_key, id);

-- What each data version changed, so that an instance updates its read model for the
-- changed service points alone. kind: 'point' (key = its code), 'manual' (key = id)
-- or 'all' (an import: rebuild).
CREATE TABLE public_changes (
    version BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('point', 'manual', 'all')),
    key TEXT
);
CREATE INDEX public_changes_version ON public_changes (version);

-- The manuals (by key) a department expects each of its service points to carry.
CREATE TABLE expected_manuals (
    department_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    manual_key TEXT NOT NULL,
    PRIMARY KEY (department_id, manual_key)
);

-- A manual being written: the whole manual as JSON (the domain's Manual), one draft per
-- key, until it is published as the next version in the manual tables.
CREATE TABLE manual_drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    owner_unit_id BIGINT NOT NULL REFERENCES units (id),
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);
