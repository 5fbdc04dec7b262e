output "raw_bucket_name" {
  description = "Bucket of the raw playlist snapshots."
  value       = module.storage.raw_bucket_name
}

output "curated_bucket_name" {
  description = "Bucket of the curated star schema."
  value       = module.storage.curated_bucket_name
}

output "curated_bucket_arn" {
  description = "ARN of the curated bucket."
  value       = module.storage.curated_bucket_arn
}

output "athena_results_bucket_name" {
  description = "Bucket of the Athena query results."
  value       = module.storage.athena_results_bucket_name
}

output "glue_assets_bucket_name" {
  description = "Bucket of the Glue job script and library."
  value       = module.storage.glue_assets_bucket_name
}

output "kms_key_arn" {
  description = "ARN of the lake's KMS key."
  value       = module.storage.kms_key_arn
}

output "extract_function_name" {
  description = "Name of the extract Lambda, for a first run with `aws lambda invoke`."
  value       = module.extract.function_name
}

output "spotify_secret_name" {
  description = "Secret whose value you set once with `aws secretsmanager put-secret-value` (never through Terraform)."
  value       = module.extract.secret_name
}

output "enrich_schedule_name" {
  description = "EventBridge Scheduler schedule that invokes the extract Lambda with {\"task\": \"enrich\"} (docs/operations.md: pausing, a backfill)."
  value       = module.extract.enrich_schedule_name
}

output "enrichment_work_lists" {
  description = "Where work lists of track ids go (one id, spotify:track: URI or track URL per line); the next enrichment run queues them (docs/track-documents.md)."
  value       = "s3://${module.storage.raw_bucket_name}/${local.enrich_prefix}/todo/"
}

output "enrichment_state" {
  description = "The enrichment's queue (gzip JSON: pending, landed, given up), read and written by every enrichment run."
  value       = "s3://${module.storage.raw_bucket_name}/${local.enrich_prefix}/state.json.gz"
}

output "dead_letter_queue_name" {
  description = "Queue holding scheduled invocations that failed for good."
  value       = module.extract.dead_letter_queue_name
}

output "glue_database_name" {
  description = "Glue/Athena database of the curated tables."
  value       = module.glue.database_name
}

output "glue_job_name" {
  description = "Name of the star-schema Glue job."
  value       = module.glue.job_name
}

output "glue_workflow_name" {
  description = "Glue workflow to start by hand (`aws glue start-workflow-run --name`), so the crawlers follow the job."
  value       = module.glue.workflow_name
}

output "chart_job_name" {
  description = "Name of the chart Glue job (charts drop zone -> fact_chart_entry, dim_chart)."
  value       = module.glue.chart_job_name
}

output "chart_workflow_name" {
  description = "Glue workflow of the chart job and its crawlers, started by new files in the drop zone and weekly."
  value       = module.glue.chart_workflow_name
}

output "charts_drop_zone" {
  description = "Where chart CSVs go (`make charts-add DROP=<this>`, or any upload under it)."
  value       = "s3://${module.storage.raw_bucket_name}/${local.charts_prefix}/"
}

output "chart_run_event" {
  description = "Source and detail-type of the event that starts a chart run now (`aws events put-events`, docs/deploy.md)."
  value       = module.glue.chart_run_event
}

output "athena_workgroup_name" {
  description = "Athena workgroup of the analytics queries."
  value       = module.athena.workgroup_name
}

output "athena_named_query_ids" {
  description = "Named query id per athena_sql/ file."
  value       = module.athena.named_query_ids
}

output "alarm_topic_arn" {
  description = "SNS topic of the pipeline alarms."
  value       = module.monitoring.alarm_topic_arn
}

# Snowflake: null unless snowflake_enabled.

output "snowflake_storage_integration_name" {
  description = "Snowflake storage integration reading the curated bucket (null unless snowflake_enabled)."
  value       = module.snowflake.storage_integration_name
}

output "snowflake_role_arn" {
  description = "IAM role Snowflake assumes; its trust policy holds the integration's IAM user and external id (null unless snowflake_enabled)."
  value       = module.snowflake.snowflake_role_arn
}

output "snowflake_stage_name" {
  description = "External stage over the curated root (null unless snowflake_enabled)."
  value       = module.snowflake.stage_name
}

output "snowflake_pipe_names" {
  description = "Pipe per curated table (null unless snowflake_enabled)."
  value       = module.snowflake.pipe_names
}

output "snowflake_pipe_notification_channels" {
  description = "SQS queues the curated bucket notifies (null unless snowflake_enabled)."
  value       = module.snowflake.pipe_notification_channels
}

