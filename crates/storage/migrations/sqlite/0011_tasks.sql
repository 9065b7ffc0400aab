-- Rollout tasks: a supervising office sets the units below it a checklist with a
-- deadline and collects their reports.

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer_unit_id BIGINT NOT NULL REFERENCES units (id),
    -- draft, issued or closed.
    state TEXT NOT NULL CHECK (state IN ('draft', 'issued', 'closed')),
    title TEXT NOT NULL,
    letter_number TEXT NOT NULL,
    letter_date DATE NOT NULL,
    body TEXT NOT NULL,
    deadline DATE NOT NULL,
    -- domain::task::Targets, ItemKind and Attachment as JSON: read and written whole
    -- with the task, never queried inside.
    targets TEXT NOT NULL,
    checklist TEXT NOT NULL,
    attachments TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL,
    issued_at TEXT,
    closed_at TEXT
);
CREATE INDEX tasks_issuer ON tasks (issuer_unit_id, state);

-- The deadlines an extension replaced, for the record and the letter.
CREATE TABLE task_extensions (
    task_id BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    previous_deadline DATE NOT NULL,
    deadline DATE NOT NULL,
    extended_at TEXT NOT NULL,
    extended_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX task_extensions_task ON task_extensions (task_id);

-- The target units, fixed when the task is issued (a unit added to the tree later is
-- not asked), each with its report.
CREATE TABLE task_units (
    task_id BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    -- not_started, in_progress, submitted, returned or accepted.
    report_state TEXT NOT NULL DEFAULT 'not_started',
    -- The unit's declarations and remarks per checklist item, as JSON.
    report_items TEXT NOT NULL DEFAULT '{}',
    reporter_name TEXT,
    reporter_position TEXT,
    first_submitted_at TEXT,
    submitted_at TEXT,
    submitted_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    decided_at TEXT,
    decided_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    return_comment TEXT,
    PRIMARY KEY (task_id, unit_id)
);
CREATE INDEX task_units_unit ON task_units (unit_id);

-- Reminder mails: at most one a day per task and unit.
CREATE TABLE task_reminders (
    task_id BIGINT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units (id),
    day DATE NOT NULL,
    kind TEXT NOT NULL,
    recipients BIGINT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (task_id, unit_id, day)
);

-- When a poster was last downloaded: a task's checklist asks for a download after the
-- task was issued.
ALTER TABLE posters ADD COLUMN last_download_at TEXT;
