-- The version table rokso keeps in <schema>.rokso_db_version: roksopsql's DDL, so a
-- table made by either tool is the same table. rokso runs this itself (init, migrate);
-- it is here for DBAs who create the table by hand.
CREATE TABLE IF NOT EXISTS offline.rokso_db_version (
    id serial PRIMARY KEY,
    filename text NOT NULL,
    version varchar(100) NOT NULL,
    status VARCHAR(20) DEFAULT 'pending' NOT NULL,
    scheduledAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    executedAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT filename_UNQ UNIQUE (filename));
-- rokso's additions (upgrade in place; roksopsql still reads the table):
ALTER TABLE offline.rokso_db_version
    ADD COLUMN IF NOT EXISTS executed_by text,
    ADD COLUMN IF NOT EXISTS duration_ms bigint,
    -- a failed non-transactional migration: statements that ran, and their sha256
    ADD COLUMN IF NOT EXISTS progress integer,
    ADD COLUMN IF NOT EXISTS progress_checksum text,
    -- sha256 of the migration's apply and rollback SQL as applied (status: `modified`),
    -- and the recipe that made it ('sha256-v1')
    ADD COLUMN IF NOT EXISTS checksum text,
    ADD COLUMN IF NOT EXISTS checksum_algorithm text;
