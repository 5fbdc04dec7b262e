variable "name_prefix" {
  type        = string
  description = "Prefix of resource names (project-environment)."
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of the lake's KMS key, used by the security configuration for S3 output, logs and bookmarks."
}

variable "raw_bucket_name" {
  type        = string
  description = "Bucket holding the raw snapshots the job reads."
}

variable "raw_bucket_arn" {
  type        = string
  description = "ARN of the raw bucket."
}

variable "raw_prefix" {
  type        = string
  description = "Key prefix of the raw snapshots (data contract: playlist_snapshots)."
}

variable "charts_prefix" {
  type        = string
  description = "Key prefix of the charts drop zone in the raw bucket (charts): the chart job's --drop_path, and the prefix whose new objects start the chart workflow."
}

variable "tracks_prefix" {
  type        = string
  description = "Key prefix of the enrichment's track documents in the raw bucket (tracks): the star-schema job's --tracks_path. The role reads it only if raw_read_prefixes lists it."
}

variable "enrich_prefix" {
  type        = string
  description = "Key prefix of the enrichment in the raw bucket (enrichment): the chart job writes its work lists under <enrich_prefix>/todo/, where the extract Lambda reads them."
}

variable "raw_read_prefixes" {
  type        = list(string)
  default     = null
  description = "Raw key prefixes the jobs may read; null (the default) is [raw_prefix]. A new raw prefix (e.g. charts, tracks) is one more item here."
}

variable "curated_bucket_name" {
  type        = string
  description = "Bucket the job writes the star schema to and the crawlers read."
}

variable "curated_bucket_arn" {
  type        = string
  description = "ARN of the curated bucket."
}

variable "curated_prefix" {
  type        = string
  description = "Key prefix of the curated root (data contract: curated)."
}

variable "assets_bucket_name" {
  type        = string
  description = "Bucket receiving the job script, the library zip and Glue's temporary files."
}

variable "assets_bucket_arn" {
  type        = string
  description = "ARN of the assets bucket."
}

variable "script_path" {
  type        = string
  description = "Local path of the job's entry point (glue_jobs/star_schema_job.py), uploaded to the assets bucket."
}

variable "chart_script_path" {
  type        = string
  description = "Local path of the chart job's entry point (glue_jobs/chart_job.py), uploaded to the assets bucket."
}

variable "library_path" {
  type        = string
  description = "Local path of the glue_jobs package zip built by `make package-glue` (dist/glue_jobs.zip), passed as --extra-py-files."
}

variable "tables" {
  type        = map(object({ partition = string, source = string }))
  description = "Curated tables (terraform/tables.json, from glue_jobs/tables.py): each table's partition column (null for a current table, which has none) and the job that writes it (playlists: the star-schema job; charts: the chart job). One crawler per table prefix, started after its job."
}

variable "worker_type" {
  type        = string
  description = "Glue worker type of the job (G.1X is the smallest Spark worker)."
}

variable "number_of_workers" {
  type        = number
  description = "Number of Glue workers of the job (2 is the minimum)."
}

variable "execution_class" {
  type        = string
  description = "FLEX (spare capacity, cheaper, may start later) or STANDARD."
}

variable "timeout_minutes" {
  type        = number
  description = "Job run timeout in minutes."
}

variable "max_retries" {
  type        = number
  description = "Retries of a failed job run. A retry is safe: the bookmark only advances when a run commits."
}

variable "schedule_expression" {
  type        = string
  description = "EventBridge Scheduler expression that starts the Glue workflow (job, then crawlers)."
}

variable "schedule_timezone" {
  type        = string
  description = "IANA time zone the workflow schedule is evaluated in."
}

variable "chart_schedule_expression" {
  type        = string
  description = "EventBridge Scheduler expression of the chart workflow's weekly run (new files start it too), evaluated in schedule_timezone."
}

variable "chart_event_batch_size" {
  type        = number
  description = "Events (new files in the drop zone, or the weekly one) that start the chart workflow at once (Glue EventBatchingCondition.BatchSize, 1-100)."
}

variable "chart_event_batch_window_seconds" {
  type        = number
  description = "Seconds after the first event at which the chart workflow starts with fewer events (Glue EventBatchingCondition.BatchWindow, 1-900)."
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the job's CloudWatch log groups, in days."
}

variable "dead_letter_queue_arn" {
  type        = string
  description = "SQS queue receiving workflow starts that EventBridge Scheduler could not deliver (the pipeline's dead-letter queue)."
}

variable "metrics_namespace" {
  type        = string
  description = "CloudWatch namespace the job publishes its run metrics to (--metrics_namespace; glue_jobs/metric_names.py lists them)."
}
