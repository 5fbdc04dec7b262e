# The Snowflake side of the lakehouse, with the names of docs/data-contract.md section 6:
# database SPOTIFY_LAKEHOUSE with schemas LANDING, CORE and ANALYTICS, warehouse
# SPOTIFY_WH, the storage integration SPOTIFY_CURATED_S3 and, in LANDING, the stage, the
# Parquet file format, one landing table and one auto-ingest pipe per curated table.
# Streams, merge tasks, CORE tables and views are created by snowflake_sql/ (see
# docs/deploy.md); tools/tf_check keeps the names here and there in step.

locals {
  database       = "SPOTIFY_LAKEHOUSE"
  landing_schema = "LANDING"
  schemas        = ["LANDING", "CORE", "ANALYTICS"]
  warehouse      = "SPOTIFY_WH"
  integration    = "SPOTIFY_CURATED_S3"
  stage          = "CURATED_STAGE"
  file_format    = "PARQUET_FORMAT"
  stage_url      = "s3://${var.curated_bucket_name}/${var.curated_prefix}/"
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

# Spark writes DATE and TIMESTAMP columns with Parquet logical types; without
# USE_LOGICAL_TYPE Snowflake would read them as plain integers.
resource "snowflake_file_format_parquet" "this" {
  database         = snowflake_database.this.name
  schema           = snowflake_schema.this[local.landing_schema].name
  name             = local.file_format
  use_logical_type = "true"
  comment          = "Snappy Parquet written by the Glue star-schema job"
}

resource "snowflake_stage_external_s3" "this" {
  database            = snowflake_database.this.name
  schema              = snowflake_schema.this[local.landing_schema].name
  name                = local.stage
  url                 = local.stage_url
  storage_integration = snowflake_storage_integration_aws.this.name
  comment             = "The curated root of the lake; one sub-path per table"

  file_format {
    format_name = snowflake_file_format_parquet.this.fully_qualified_name
  }

  # Snowflake uses the role whenever the stage is read, and IAM changes take a while to
  # propagate: create the stage only once the trust policy and permissions exist.
  depends_on = [aws_iam_role_policy.this]
}
