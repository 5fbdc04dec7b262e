# The Snowflake side of the lakehouse, with the names of docs/data-contract.md section 6:
# database SPOTIFY_LAKEHOUSE with schemas LANDING, CORE and ANALYTICS, warehouse
# SPOTIFY_WH, the storage integration SPOTIFY_CURATED_S3 and, in LANDING, the stage, the
# Parquet file format, one landing table and one auto-ingest pipe per curated table.
# Streams, merge tasks, CORE tables and views are created by snowflake_sql/ (see
# docs/deploy.md); tools/tf_check keeps the names here and there in step.

locals {
  database          = "SPOTIFY_LAKEHOUSE"
  landing_schema    = "LANDING"
  schemas           = ["LANDING", "CORE", "ANALYTICS"]
  warehouse         = "SPOTIFY_WH"
  integration       = "SPOTIFY_CURATED_S3"
  stage             = "CURATED_STAGE"
  file_format       = "PARQUET_FORMAT"
  stage_url         = "s3://${var.curated_bucket_name}/${var.curated_prefix}/"
  stage_fqn         = "${local.database}.${local.landing_schema}.${local.stage}"
  file_format_fqn   = "${local.database}.${local.landing_schema}.${local.file_format}"
  snapshot_date_sql = "to_date(regexp_substr(metadata$filename, 'snapshot_date=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1, 1, 'e'))"
}

resource "snowflake_database" "this" {
  name    = local.database
  comment = "Spotify playlist lakehouse: landing tables fed by Snowpipe, merged serving tables, views"
}

resource "snowflake_schema" "this" {
  for_each = toset(local.schemas)

  database = snowflake_database.this.name
  name     = each.key
}

resource "snowflake_warehouse" "this" {
  name                = local.warehouse
  comment             = "Merge tasks and analytics of the Spotify playlist lakehouse"
  warehouse_size      = var.warehouse_size
  auto_suspend        = var.warehouse_auto_suspend_seconds
  auto_resume         = "true"
  initially_suspended = true
}

resource "snowflake_file_format" "this" {
  database    = snowflake_database.this.name
  schema      = snowflake_schema.this[local.landing_schema].name
  name        = local.file_format
  format_type = "PARQUET"
  comment     = "Snappy Parquet written by the Glue star-schema job"
}

resource "snowflake_stage" "this" {
  database            = snowflake_database.this.name
  schema              = snowflake_schema.this[local.landing_schema].name
  name                = local.stage
  url                 = local.stage_url
  storage_integration = snowflake_storage_integration.this.name
  file_format         = "FORMAT_NAME = ${local.file_format_fqn}"
  comment             = "The curated root of the lake; one sub-path per table"

  # Snowflake checks the role when the stage is used, and IAM changes take a few seconds
  # to propagate: create the stage only once the trust policy and permissions exist.
  depends_on = [aws_iam_role_policy.this]
}
