-- The comments of each rollup row, so that a report counts a department's comments
-- from its few rows instead of walking every comment under it.
ALTER TABLE rating_rollups ADD COLUMN comments BIGINT NOT NULL DEFAULT 0;

-- A comment's day beside each unit it is filed under, so that the comments of a
-- period are one range of the index however many newer ones there are.
CREATE TABLE rating_comment_days (
    unit_id BIGINT NOT NULL REFERENCES units (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    rating_id BIGINT NOT NULL REFERENCES ratings (id) ON DELETE CASCADE,
    PRIMARY KEY (unit_id, day, rating_id)
);
INSERT INTO rating_comment_days (unit_id, day, rating_id)
    SELECT cu.unit_id, r.day, cu.rating_id FROM rating_comment_units cu JOIN ratings r ON r.id = cu.rating_id;
DROP TABLE rating_comment_units;
CREATE INDEX rating_comment_days_rating ON rating_comment_days (rating_id);
