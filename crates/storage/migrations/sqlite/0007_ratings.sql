-- QR posters and citizen ratings (step 10 of the founding letter).

-- One poster per service point, made the first time it is needed. Its token is what
-- the QR code's address carries; rotating it retires the printed copies.
CREATE TABLE posters (
    service_point_id BIGINT PRIMARY KEY REFERENCES service_points (unit_id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    enabled BOOLEAN NOT NULL,
    downloads BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    token_since TEXT NOT NULL,
    switched_at TEXT,
    switched_by TEXT
);

-- The tokens of rotated posters, so that an old print answers that it was replaced.
CREATE TABLE retired_poster_tokens (
    token TEXT PRIMARY KEY,
    service_point_id BIGINT NOT NULL REFERENCES service_points (unit_id) ON DELETE CASCADE,
    retired_at TEXT NOT NULL
);

-- Append-only: a rating is never changed. A score column is NULL for "not
-- applicable"; the comment is stored masked; `day` is the date in Bangkok.
CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    service_point_id BIGINT NOT NULL REFERENCES service_points (unit_id) ON DELETE CASCADE,
    manual_id BIGINT,
    received_at TEXT NOT NULL,
    day DATE NOT NULL,
    overall BIGINT NOT NULL CHECK (overall BETWEEN 1 AND 5),
    process BIGINT CHECK (process BETWEEN 1 AND 5),
    staff BIGINT CHECK (staff BETWEEN 1 AND 5),
    place BIGINT CHECK (place BETWEEN 1 AND 5),
    result BIGINT CHECK (result BETWEEN 1 AND 5),
    information BIGINT CHECK (information BETWEEN 1 AND 5),
    comment TEXT
);

-- A comment under every unit above its service point (and the point itself), so that
-- the latest comments of any part of the tree are one indexed walk.
CREATE TABLE rating_comment_units (
    unit_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    rating_id BIGINT NOT NULL REFERENCES ratings (id) ON DELETE CASCADE,
    PRIMARY KEY (unit_id, rating_id)
);
CREATE INDEX rating_comment_units_rating ON rating_comment_units (rating_id);

-- How to reach the citizen who asked for a reply: apart from the rating, never shown,
-- deleted 90 days after it was given.
CREATE TABLE rating_contacts (
    rating_id BIGINT PRIMARY KEY REFERENCES ratings (id) ON DELETE CASCADE,
    email TEXT,
    phone TEXT,
    given_at TEXT NOT NULL
);
CREATE INDEX rating_contacts_given ON rating_contacts (given_at);

-- The office's answer to a comment, and whether the pair is shown on the public page.
CREATE TABLE rating_replies (
    rating_id BIGINT PRIMARY KEY REFERENCES ratings (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    replied_at TEXT NOT NULL,
    replied_by TEXT NOT NULL,
    mailed_at TEXT,
    published_at TEXT,
    published_by TEXT
);

-- Kept up to date in the transaction that stores the ratings: for the service point
-- and every unit above it, per day (grain 0) and per month (grain 1, `start` its
-- first day), per area of the point rated (province/district), the count of each
-- score and of "not applicable" per dimension, and the submissions refused. Reports
-- read these, never the ratings.
CREATE TABLE rating_rollups (
    unit_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    grain BIGINT NOT NULL CHECK (grain IN (0, 1)),
    start DATE NOT NULL,
    area TEXT NOT NULL,
    overall_1 BIGINT NOT NULL DEFAULT 0,
    overall_2 BIGINT NOT NULL DEFAULT 0,
    overall_3 BIGINT NOT NULL DEFAULT 0,
    overall_4 BIGINT NOT NULL DEFAULT 0,
    overall_5 BIGINT NOT NULL DEFAULT 0,
    overall_na BIGINT NOT NULL DEFAULT 0,
    process_1 BIGINT NOT NULL DEFAULT 0,
    process_2 BIGINT NOT NULL DEFAULT 0,
    process_3 BIGINT NOT NULL DEFAULT 0,
    process_4 BIGINT NOT NULL DEFAULT 0,
    process_5 BIGINT NOT NULL DEFAULT 0,
    process_na BIGINT NOT NULL DEFAULT 0,
    staff_1 BIGINT NOT NULL DEFAULT 0,
    staff_2 BIGINT NOT NULL DEFAULT 0,
    staff_3 BIGINT NOT NULL DEFAULT 0,
    staff_4 BIGINT NOT NULL DEFAULT 0,
    staff_5 BIGINT NOT NULL DEFAULT 0,
    staff_na BIGINT NOT NULL DEFAULT 0,
    place_1 BIGINT NOT NULL DEFAULT 0,
    place_2 BIGINT NOT NULL DEFAULT 0,
    place_3 BIGINT NOT NULL DEFAULT 0,
    place_4 BIGINT NOT NULL DEFAULT 0,
    place_5 BIGINT NOT NULL DEFAULT 0,
    place_na BIGINT NOT NULL DEFAULT 0,
    result_1 BIGINT NOT NULL DEFAULT 0,
    result_2 BIGINT NOT NULL DEFAULT 0,
    result_3 BIGINT NOT NULL DEFAULT 0,
    result_4 BIGINT NOT NULL DEFAULT 0,
    result_5 BIGINT NOT NULL DEFAULT 0,
    result_na BIGINT NOT NULL DEFAULT 0,
    information_1 BIGINT NOT NULL DEFAULT 0,
    information_2 BIGINT NOT NULL DEFAULT 0,
    information_3 BIGINT NOT NULL DEFAULT 0,
    information_4 BIGINT NOT NULL DEFAULT 0,
    information_5 BIGINT NOT NULL DEFAULT 0,
    information_na BIGINT NOT NULL DEFAULT 0,
    refused_fast BIGINT NOT NULL DEFAULT 0,
    refused_trap BIGINT NOT NULL DEFAULT 0,
    refused_form BIGINT NOT NULL DEFAULT 0,
    refused_limit BIGINT NOT NULL DEFAULT 0,
    refused_repeat BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, grain, start, area)
);

-- Per service point, day and service received (manual id, 0 for "other"): the
-- overall scores.
CREATE TABLE rating_service_rollups (
    service_point_id BIGINT NOT NULL REFERENCES service_points (unit_id) ON DELETE CASCADE,
    day DATE NOT NULL,
    manual_id BIGINT NOT NULL,
    overall_1 BIGINT NOT NULL DEFAULT 0,
    overall_2 BIGINT NOT NULL DEFAULT 0,
    overall_3 BIGINT NOT NULL DEFAULT 0,
    overall_4 BIGINT NOT NULL DEFAULT 0,
    overall_5 BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (service_point_id, day, manual_id)
);

-- The key of the day's client hashes: random, made by the first submission of the
-- day, deleted when the day is over, so that no hash can be linked to an address
-- afterwards.
CREATE TABLE rating_day_keys (
    day DATE PRIMARY KEY,
    secret TEXT NOT NULL
);

-- Submissions per client (keyed hash of address and browser) and poster today, and
-- the last one's time; deleted with the day's key.
CREATE TABLE rating_clients (
    key TEXT PRIMARY KEY,
    day DATE NOT NULL,
    hits BIGINT NOT NULL,
    -- The submission before the last one, returned by the same statement that
    -- counts: a repeat within minutes is seen atomically.
    prev_at TEXT,
    last_at TEXT NOT NULL
);
CREATE INDEX rating_clients_day ON rating_clients (day);
