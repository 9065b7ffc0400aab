-- The public directory: the organisation tree, service points, manuals and pins.
-- Written once for both databases; the two dialect files differ only in ID, REAL and
-- TIMESTAMP types (a test keeps them aligned).

CREATE TABLE units (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('ministry', 'department', 'unit', 'service_point')),
    parent_id BIGINT REFERENCES units (id),
    name_th TEXT NOT NULL,
    name_en TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX units_parent ON units (parent_id);

CREATE TABLE service_points (
    unit_id BIGINT PRIMARY KEY REFERENCES units (id) ON DELETE CASCADE,
    description_th TEXT NOT NULL,
    description_en TEXT NOT NULL,
    lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    house_no TEXT,
    moo TEXT,
    building TEXT,
    road TEXT,
    subdistrict TEXT NOT NULL,
    district TEXT NOT NULL,
    province TEXT NOT NULL,
    postcode TEXT NOT NULL,
    email TEXT,
    website TEXT,
    hours_note_th TEXT,
    hours_note_en TEXT,
    open_on_holidays BOOLEAN NOT NULL,
    gecc_level TEXT NOT NULL CHECK (gecc_level IN ('none', 'basic', 'medium', 'high')),
    is_public BOOLEAN NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);

CREATE TABLE service_point_phones (
    service_point_id BIGINT NOT NULL REFERENCES service_points (unit_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    number TEXT NOT NULL,
    ext TEXT,
    label_th TEXT,
    label_en TEXT,
    PRIMARY KEY (service_point_id, position)
);

-- One row per opening stretch; a lunch break is the gap between two rows of a day.
CREATE TABLE opening_periods (
    service_point_id BIGINT NOT NULL REFERENCES service_points (unit_id) ON DELETE CASCADE,
    weekday BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens BIGINT NOT NULL CHECK (opens BETWEEN 0 AND 1440),
    closes BIGINT NOT NULL CHECK (closes BETWEEN 0 AND 1440)
);
CREATE INDEX opening_periods_sp ON opening_periods (service_point_id);

-- A date with other hours than the week's; a row with NULL times closes the day.
CREATE TABLE hours_exceptions (
    service_point_id BIGINT NOT NULL REFERENCES service_points (unit_id) ON DELETE CASCADE,
    day DATE NOT NULL,
    opens BIGINT,
    closes BIGINT,
    note TEXT
);
CREATE INDEX hours_exceptions_sp ON hours_exceptions (service_point_id);

CREATE TABLE public_holidays (
    day DATE PRIMARY KEY,
    name_th TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE service_point_photos (
    service_point_id BIGINT NOT NULL REFERENCES service_points (unit_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    url TEXT NOT NULL,
    caption_th TEXT,
    caption_en TEXT,
    PRIMARY KEY (service_point_id, position)
);

CREATE TABLE manuals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    version BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'published', 'archived')),
    owner_unit_id BIGINT NOT NULL REFERENCES units (id),
    title_th TEXT NOT NULL,
    title_en TEXT NOT NULL,
    process_name TEXT NOT NULL,
    owning_agency TEXT NOT NULL,
    service_type TEXT NOT NULL,
    category TEXT NOT NULL,
    impact_level TEXT NOT NULL,
    service_areas TEXT NOT NULL,
    statutory_time_law TEXT,
    statutory_time_value REAL NOT NULL,
    statutory_time_unit TEXT NOT NULL,
    stats_avg BIGINT NOT NULL,
    stats_max BIGINT NOT NULL,
    stats_min BIGINT NOT NULL,
    reference_name TEXT NOT NULL,
    criteria TEXT NOT NULL,
    simplified BOOLEAN NOT NULL,
    no_fee BOOLEAN NOT NULL,
    remarks TEXT,
    published_on DATE,
    prepared_by TEXT,
    approved_by TEXT,
    published_by TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (key, version)
);

CREATE TABLE manual_legal_bases (
    manual_id BIGINT NOT NULL REFERENCES manuals (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    year_be BIGINT,
    section TEXT,
    note TEXT,
    PRIMARY KEY (manual_id, position)
);

CREATE TABLE manual_channels (
    manual_id BIGINT NOT NULL REFERENCES manuals (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    place TEXT NOT NULL,
    address TEXT,
    phone TEXT,
    url TEXT,
    hours_text TEXT,
    note TEXT,
    PRIMARY KEY (manual_id, position)
);

CREATE TABLE manual_steps (
    manual_id BIGINT NOT NULL REFERENCES manuals (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    duration_value REAL NOT NULL,
    duration_unit TEXT NOT NULL,
    responsible TEXT,
    note TEXT,
    PRIMARY KEY (manual_id, position)
);

CREATE TABLE manual_documents (
    manual_id BIGINT NOT NULL REFERENCES manuals (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    doc_group TEXT NOT NULL,
    name TEXT NOT NULL,
    issuer TEXT,
    originals BIGINT NOT NULL,
    copies BIGINT NOT NULL,
    unit TEXT NOT NULL,
    note TEXT,
    id_copy BOOLEAN NOT NULL,
    PRIMARY KEY (manual_id, position)
);

CREATE TABLE manual_fees (
    manual_id BIGINT NOT NULL REFERENCES manuals (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    description TEXT NOT NULL,
    amount REAL NOT NULL,
    unit TEXT NOT NULL,
    base TEXT,
    per TEXT,
    note TEXT,
    PRIMARY KEY (manual_id, position)
);

CREATE TABLE manual_complaint_channels (
    manual_id BIGINT NOT NULL REFERENCES manuals (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    channel TEXT NOT NULL,
    address TEXT,
    phone TEXT,
    url TEXT,
    note TEXT,
    PRIMARY KEY (manual_id, position)
);

CREATE TABLE manual_forms (
    manual_id BIGINT NOT NULL REFERENCES manuals (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    url TEXT,
    PRIMARY KEY (manual_id, position)
);

-- "ปักหมุดคู่มือ": the manuals a service point gives.
CREATE TABLE service_point_manuals (
    service_point_id BIGINT NOT NULL REFERENCES service_points (unit_id) ON DELETE CASCADE,
    manual_id BIGINT NOT NULL REFERENCES manuals (id) ON DELETE CASCADE,
    pinned_at TEXT NOT NULL,
    pinned_by TEXT,
    PRIMARY KEY (service_point_id, manual_id)
);
CREATE INDEX service_point_manuals_manual ON service_point_manuals (manual_id);

-- Bumped by every change to public data, so that each instance knows when to rebuild
-- its in-memory read model.
CREATE TABLE data_version (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);
