-- A draft's revision moves with every save, so that a form saved on an older one is
-- refused instead of overwriting what someone else saved in between.
ALTER TABLE manual_drafts ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;
