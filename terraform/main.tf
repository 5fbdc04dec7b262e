# The Spotify playlist lakehouse: storage, the extract Lambda (weekly playlists, hourly
# enrichment of charted tracks), the Glue star-schema job and the chart job (charts drop
# zone) with their crawlers, Athena,
# monitoring and, when var.snowflake_enabled is true, the Snowflake serving layer; see
# docs/deploy.md.

locals {
  name_prefix = "${var.project}-${var.environment}"
  # The alarm topic's name: the monitoring module creates it, the lake key's policy (storage
  # module, created first) lets alarms and event rules encrypt for it alone.
  alarm_topic_name = "${local.name_prefix}-alarms"
  repo_root        = "${path.module}/.."

  # Names fixed by docs/data-contract.md (sections 1 and 6); tools/tf_check compares
  # them with the contract and the code. The tables, their landing columns, partition
  # columns and the job writing each come from tables.json, generated from
  # glue_jobs/tables.py by `make generate`.
  raw_prefix       = "playlist_snapshots"
  curated_prefix   = "curated"
  table_definition = jsondecode(file("${path.module}/tables.json"))
  table_columns    = local.table_definition.tables
  table_partitions = local.table_definition.partitions
  table_sources    = local.table_definition.sources
  curated_tables   = keys(local.table_columns)
  # Crawled: the tables, and the current tables each job rewrites at each run (one folder
  # each, no partition; glue_jobs/current.py).
  glue_tables = merge(
    {
      for table in local.curated_tables : table => {
        partition = local.table_partitions[table].name
        source    = local.table_sources[table]
      }
    },
    {
      for table, current in local.table_definition.current : table => {
        partition = null
        source    = current.source
      }
    },
  )

  # The charts drop zone (docs/charts.md): chart CSVs that people download from
  # charts.spotify.com, uploaded by hand or by `make charts-add`; the chart job reads it.
  charts_prefix = "charts"

  # The enrichment's keys in the raw bucket (docs/track-documents.md): track documents
  # under tracks/, the queue (state.json.gz) and the chart job's work lists (todo/) under
  # enrichment/. The defaults of extract_lambda/enrich.py; tools/tf_check holds them to it.
  # The Lambda writes tracks/ and reads enrichment/todo/; the star-schema job reads tracks/
  # (--tracks_path) and the chart job writes enrichment/todo/ (glue_jobs/charts_pipeline.py).
  tracks_prefix = "tracks"
  enrich_prefix = "enrichment"

  # Build outputs of `make package-lambda package-glue`; plan fails if they are missing.
  lambda_package_path = "${local.repo_root}/dist/extract_lambda.zip"
  glue_library_path   = "${local.repo_root}/dist/glue_jobs.zip"
  glue_script_path    = "${local.repo_root}/glue_jobs/star_schema_job.py"
  chart_script_path   = "${local.repo_root}/glue_jobs/chart_job.py"
  athena_sql_dir      = "${local.repo_root}/athena_sql"

  # The directory module.snowflake is read from. Terraform resolves it at `terraform init`
  # (1.15+: it may use only const variables and locals). Off, the stand-in has no Snowflake
  # resource, so Terraform never configures the Snowflake provider and an AWS-only
  # deployment needs no Snowflake credentials; a count = 0 would not do that, because
  # Terraform configures every provider its resources name, whatever their count.
  snowflake_module_dir = var.snowflake_enabled ? "snowflake" : "snowflake_disabled"
}

module "storage" {
  source = "./modules/storage"

  name_prefix                            = local.name_prefix
  raw_prefix                             = local.raw_prefix
  charts_prefix                          = local.charts_prefix
  tracks_prefix                          = local.tracks_prefix
  enrich_prefix                          = local.enrich_prefix
  curated_prefix                         = local.curated_prefix
  raw_transition_days                    = var.raw_transition_days
  raw_transition_storage_class           = var.raw_transition_storage_class
  raw_noncurrent_version_expiration_days = var.raw_noncurrent_version_expiration_days
  athena_results_expiration_days         = var.athena_results_expiration_days
  glue_temp_expiration_days              = 7
  access_log_expiration_days             = var.access_log_expiration_days
  force_destroy                          = var.force_destroy
  alarm_topic_name                       = local.alarm_topic_name
}

module "extract" {
  source = "./modules/extract"

  name_prefix                 = local.name_prefix
  kms_key_arn                 = module.storage.kms_key_arn
  raw_bucket_name             = module.storage.raw_bucket_name
  raw_bucket_arn              = module.storage.raw_bucket_arn
  raw_prefix                  = local.raw_prefix
  package_path                = local.lambda_package_path
  playlist_ids                = var.playlist_ids
  spotify_market              = var.spotify_market
  spotify_api_url             = var.spotify_api_url
  spotify_auth_url            = var.spotify_auth_url
  max_concurrency             = var.extract_max_concurrency
  api_shape                   = var.extract_api_shape
  timeout_seconds             = var.extract_timeout_seconds
  memory_mb                   = var.extract_memory_mb
  reserved_concurrency        = var.extract_reserved_concurrency
  maximum_retry_attempts      = var.extract_maximum_retry_attempts
  schedule_expression         = var.extract_schedule_expression
  schedule_timezone           = var.schedule_timezone
  log_retention_days          = var.log_retention_days
  secret_recovery_window_days = var.secret_recovery_window_days
  metrics_namespace           = module.monitoring.metric_namespace
  tracks_prefix               = local.tracks_prefix
  enrich_prefix               = local.enrich_prefix
  enrich_max_tracks           = var.enrich_max_tracks
  enrich_concurrency          = var.enrich_concurrency
  enrich_schedule_expression  = var.enrich_schedule_expression
  enrich_schedule_enabled     = var.enrich_schedule_enabled
}

module "glue" {
  source = "./modules/glue"

  name_prefix                      = local.name_prefix
  kms_key_arn                      = module.storage.kms_key_arn
  raw_bucket_name                  = module.storage.raw_bucket_name
  raw_bucket_arn                   = module.storage.raw_bucket_arn
  raw_prefix                       = local.raw_prefix
  charts_prefix                    = local.charts_prefix
  tracks_prefix                    = local.tracks_prefix
  enrich_prefix                    = local.enrich_prefix
  raw_read_prefixes                = [local.raw_prefix, local.charts_prefix, local.tracks_prefix]
  curated_bucket_name              = module.storage.curated_bucket_name
  curated_bucket_arn               = module.storage.curated_bucket_arn
  curated_prefix                   = local.curated_prefix
  assets_bucket_name               = module.storage.glue_assets_bucket_name
  assets_bucket_arn                = module.storage.glue_assets_bucket_arn
  script_path                      = local.glue_script_path
  chart_script_path                = local.chart_script_path
  library_path                     = local.glue_library_path
  tables                           = local.glue_tables
  worker_type                      = var.glue_worker_type
  number_of_workers                = var.glue_number_of_workers
  execution_class                  = var.glue_execution_class
  timeout_minutes                  = var.glue_timeout_minutes
  max_retries                      = var.glue_max_retries
  schedule_expression              = var.glue_schedule_expression
  schedule_timezone                = var.schedule_timezone
  chart_schedule_expression        = var.chart_schedule_expression
  chart_event_batch_size           = var.chart_event_batch_size
  chart_event_batch_window_seconds = var.chart_event_batch_window_seconds
  log_retention_days               = var.log_retention_days
  dead_letter_queue_arn            = module.extract.dead_letter_queue_arn
  metrics_namespace                = module.monitoring.metric_namespace
}

module "athena" {
  source = "./modules/athena"

  name_prefix                    = local.name_prefix
  kms_key_arn                    = module.storage.kms_key_arn
  results_bucket_name            = module.storage.athena_results_bucket_name
  database_name                  = module.glue.database_name
  sql_dir                        = local.athena_sql_dir
  bytes_scanned_cutoff_per_query = var.athena_bytes_scanned_cutoff_per_query
  force_destroy                  = var.force_destroy
}

module "monitoring" {
  source = "./modules/monitoring"

  name_prefix            = local.name_prefix
  kms_key_arn            = module.storage.kms_key_arn
  alarm_topic_name       = local.alarm_topic_name
  alarm_email_addresses  = var.alarm_email_addresses
  lambda_function_name   = module.extract.function_name
  lambda_log_group_name  = module.extract.log_group_name
  lambda_service_name    = module.extract.metrics_service_name
  enrich_backlog_days    = var.enrich_backlog_alarm_days
  dead_letter_queue_name = module.extract.dead_letter_queue_name
  glue_job_name          = module.glue.job_name
  chart_job_name         = module.glue.chart_job_name
  crawler_names          = values(module.glue.crawler_names)
  chart_rule_names       = module.glue.chart_rule_names
}

module "snowflake" {
  source = "./modules/${local.snowflake_module_dir}"

  name_prefix                    = local.name_prefix
  curated_bucket_name            = module.storage.curated_bucket_name
  curated_bucket_arn             = module.storage.curated_bucket_arn
  curated_prefix                 = local.curated_prefix
  kms_key_arn                    = module.storage.kms_key_arn
  tables                         = local.table_columns
  partitions                     = local.table_partitions
  warehouse_size                 = var.snowflake_warehouse_size
  warehouse_auto_suspend_seconds = var.snowflake_warehouse_auto_suspend_seconds
}
