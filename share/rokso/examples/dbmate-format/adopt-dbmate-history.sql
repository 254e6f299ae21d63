-- adopt-dbmate-history.sql: marks the migrations dbmate already applied to this database
-- as applied in rokso's version table, so that `rokso migrate` does not run them again.
--
-- Run it once, with psql, from the rokso project's root directory (where config.json
-- is), after copying dbmate's files to migration/<dir>/ and running `rokso init` (which
-- creates the version table), and before anyone runs `rokso migrate` on this database:
--
--   psql "<connection>" -v schema=offline -v dir=dbmate -f adopt-dbmate-history.sql
--
--   schema        the version table's schema: config.json's "dbschema"
--   dir           where the dbmate files are, relative to migration/ (dbmate, offline/dbmate, ...)
--   table         optional: config.json's "version_table_name" (default rokso_db_version)
--   dbmate_table  optional: dbmate's table, schema-qualified if need be
--                 (default schema_migrations, found through the search_path as dbmate does)
--
-- Every file migration/<dir>/<version>_<name>.sql whose <version> is in dbmate's table
-- gets a row: filename '<dir>/<version>_<name>.sql', status 'complete', all in one new
-- revision, in version order. Files already in the version table are left alone, so a
-- second run adds nothing. dbmate versions that have no file are listed. Nothing else in
-- the database changes, dbmate's table included.
\set ON_ERROR_STOP on
\if :{?schema}
\else
  \warn 'adopt-dbmate-history.sql: missing -v schema=<the schema of rokso''s version table>'
  SELECT 'missing psql variable: schema'::int;
\endif
\if :{?dir}
\else
  \warn 'adopt-dbmate-history.sql: missing -v dir=<directory of the dbmate files, relative to migration/>'
  SELECT 'missing psql variable: dir'::int;
\endif
\if :{?table}
\else
  \set table rokso_db_version
\endif
\if :{?dbmate_table}
\else
  \set dbmate_table schema_migrations
\endif

-- The names of the files, read on the client (psql runs this where it is started).
\set files `ls -1 -- migration/:dir`

BEGIN;

-- One revision for the whole adoption: 8 lowercase hex characters, like rokso's own.
SELECT substr(md5(random()::text || clock_timestamp()::text), 1, 8) AS revision \gset

CREATE TEMPORARY TABLE adopted_dbmate_files ON COMMIT DROP AS
SELECT name, substring(name FROM '^[0-9]+') AS version
FROM unnest(string_to_array(:'files', E'\n')) AS name
WHERE name ~ '^[0-9]+_.+\.sql$' AND name !~ '\.(apply|rollback|up|down)\.sql$';

SELECT NOT EXISTS (SELECT FROM adopted_dbmate_files) AS no_files \gset
\if :no_files
  \warn 'adopt-dbmate-history.sql: no <version>_<name>.sql file in migration/':dir
  SELECT 'no dbmate migration files'::int;
\endif

INSERT INTO :"schema".:"table" (filename, version, status)
SELECT rtrim(:'dir', '/') || '/' || f.name, :'revision', 'complete'
FROM adopted_dbmate_files AS f
JOIN :dbmate_table AS applied ON applied.version = f.version
ORDER BY f.version, f.name
ON CONFLICT (filename) DO NOTHING;

SELECT applied.version AS "applied by dbmate, but no file"
FROM :dbmate_table AS applied
WHERE NOT EXISTS (SELECT FROM adopted_dbmate_files AS f WHERE f.version = applied.version)
ORDER BY 1;

SELECT count(*) AS adopted, :'revision' AS revision
FROM :"schema".:"table"
WHERE version = :'revision';

COMMIT;
