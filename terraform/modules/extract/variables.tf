variable "name_prefix" {
  type        = string
  description = "Prefix of resource names (project-environment)."
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of the lake's KMS key: encrypts the secret, the queue, the log group, the environment and the raw objects."
}

variable "raw_bucket_name" {
  type        = string
  description = "Bucket the snapshots are written to (RAW_BUCKET)."
}

variable "raw_bucket_arn" {
  type        = string
  description = "ARN of the raw bucket, for the write permission."
}

variable "raw_prefix" {
  type        = string
  description = "Key prefix of the raw snapshots (RAW_PREFIX, data contract: playlist_snapshots)."
}

variable "package_path" {
  type        = string
  description = "Path of the deployment zip built by `make package-lambda` (dist/extract_lambda.zip)."
}

variable "playlist_ids" {
  type        = list(string)
  description = "Spotify playlist ids extracted on every scheduled run (PLAYLIST_IDS)."
}

variable "spotify_market" {
  type        = string
  description = "ISO 3166-1 alpha-2 market used for track relinking (SPOTIFY_MARKET)."
}

variable "spotify_api_url" {
  type        = string
  description = "Base URL of the Spotify Web API (SPOTIFY_API_URL)."
}

variable "spotify_auth_url" {
  type        = string
  description = "Spotify token endpoint (SPOTIFY_AUTH_URL)."
}

variable "max_concurrency" {
  type        = number
  description = "Pages of one playlist fetched concurrently (MAX_CONCURRENCY, 1-64)."
}

variable "api_shape" {
  type        = string
  description = "Which playlist endpoint to read (SPOTIFY_API_SHAPE): auto, items (2026 /items) or tracks (legacy /tracks, extended-quota apps)."
}

variable "timeout_seconds" {
  type        = number
  description = "Lambda timeout in seconds."
}

variable "memory_mb" {
  type        = number
  description = "Lambda memory in MB (CPU scales with it)."
}

variable "reserved_concurrency" {
  type        = number
  description = "Reserved concurrent executions of the extract function; 1 keeps a retry from overlapping a running extraction; null reserves none."
}

variable "maximum_retry_attempts" {
  type        = number
  description = "Retries of a failed asynchronous (scheduled) invocation before the event goes to the dead-letter queue."
}

variable "schedule_expression" {
  type        = string
  description = "EventBridge Scheduler expression of the extraction, e.g. cron(0 6 ? * MON *)."
}

variable "schedule_timezone" {
  type        = string
  description = "IANA time zone the schedule expression is evaluated in."
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the function's CloudWatch log group, in days."
}

variable "secret_recovery_window_days" {
  type        = number
  description = "Days a deleted Spotify secret stays recoverable (0 deletes at once, for throw-away environments)."
}

variable "metrics_namespace" {
  type        = string
  description = "CloudWatch namespace of the extractor's metrics (POWERTOOLS_METRICS_NAMESPACE)."
}

variable "tracks_prefix" {
  type        = string
  description = "Key prefix of the track documents the enrichment lands in the raw bucket (TRACKS_PREFIX, docs/track-documents.md: tracks)."
}

variable "enrich_prefix" {
  type        = string
  description = "Key prefix of the enrichment's state object and work-list folder todo/ in the raw bucket (ENRICH_PREFIX, docs/track-documents.md: enrichment)."
}

variable "enrich_max_tracks" {
  type        = number
  description = "Track ids fetched at most per enrichment run (ENRICH_MAX_TRACKS)."
}

variable "enrich_concurrency" {
  type        = number
  description = "GET /tracks/{id} requests in flight during an enrichment run (ENRICH_CONCURRENCY, 1-64)."
}

variable "enrich_schedule_expression" {
  type        = string
  description = "EventBridge Scheduler expression of the enrichment runs (the event {\"task\": \"enrich\"}), e.g. cron(30 * * * ? *)."
}

variable "enrich_schedule_enabled" {
  type        = bool
  description = "Whether the enrichment schedule is enabled (false pauses the enrichment; the queue waits in the state object)."
}
