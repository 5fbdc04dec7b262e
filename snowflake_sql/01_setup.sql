-- 01_setup: the database, its three schemas and the warehouse the merge tasks run on.
-- Run first, as a role allowed to create databases and warehouses (e.g. SYSADMIN).
-- Every statement is idempotent: re-running the script changes nothing that exists.

create database if not exists spotify_lakehouse
comment = 'Spotify playlist lakehouse: curated star schema loaded by Snowpipe';

-- LANDING: what the pipes load, file by file, append-only (loading a file twice lands its
-- rows twice; the merges make that harmless).
create schema if not exists spotify_lakehouse.landing
comment = 'Snowpipe landing tables, one per curated table';

-- CORE: the serving tables, merged from LANDING by the tasks.
create schema if not exists spotify_lakehouse.core
comment = 'Serving tables: facts per snapshot, dimensions at their latest observation';

-- ANALYTICS: the views.
create schema if not exists spotify_lakehouse.analytics
comment = 'Analytics, trend and compatibility views over CORE';

-- An extra-small warehouse that suspends after a minute idle: the tasks wake it only when a
-- stream has data, so an idle week costs nothing.
create warehouse if not exists spotify_wh
warehouse_size = xsmall
auto_suspend = 60
auto_resume = true
initially_suspended = true
comment = 'Runs the CORE.MERGE_* tasks and the analytics queries';
