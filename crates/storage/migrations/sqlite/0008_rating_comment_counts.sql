-- The comments of each rollup row, so that a report counts a department's comments
-- from its few rows instead of walking every comment under it.
ALTER TABLE rating_rollups ADD COLUMN comments BIGINT NOT NULL DEFAULT 0;
