# ---------------------------------------------------------------------------------
# Deployment
# ---------------------------------------------------------------------------------

variable "aws_region" {
  type        = string
  description = "AWS region of the whole deployment."
}

variable "project" {
  type        = string
  description = "Project name: the first part of every resource name."
  default     = "spotify-lakehouse"

  # Bucket names are <project>-<environment>-<purpose>-<account id>-<region> and S3
  # allows 63 characters: 17 + 1 + 8 + 1 + 7 + 1 + 12 + 1 + 14 (the longest region names).
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,16}$", var.project))
    error_message = "project must be 2-17 characters of lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  type        = string
  description = "Environment name (dev, prod, ...): the second part of every resource name."
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,7}$", var.environment))
    error_message = "environment must be 1-8 lower-case letters or digits, starting with a letter."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags on every resource (Project, Environment and ManagedBy are always set)."
  default     = {}
}

variable "force_destroy" {
  type        = bool
  description = "Let terraform destroy delete non-empty buckets and the Athena workgroup. Keep false for anything you want to keep."
  default     = false
}

# ---------------------------------------------------------------------------------
# Extraction (the Lambda)
# ---------------------------------------------------------------------------------

variable "playlist_ids" {
  type        = list(string)
  description = "Spotify playlist ids to snapshot on every scheduled run (PLAYLIST_IDS)."

  validation {
    condition     = alltrue([for id in var.playlist_ids : can(regex("^[0-9A-Za-z]{22}$", id))])
    error_message = "Each playlist id must be a 22-character base-62 Spotify id (the part after /playlist/ in its URL)."
  }
}

variable "spotify_market" {
  type        = string
  description = "ISO 3166-1 alpha-2 market for track relinking (SPOTIFY_MARKET)."
  default     = "US"

  validation {
    condition     = can(regex("^[A-Z]{2}$", var.spotify_market))
    error_message = "spotify_market must be a two-letter upper-case country code."
  }
}

variable "spotify_api_url" {
  type        = string
  description = "Base URL of the Spotify Web API (SPOTIFY_API_URL)."
  default     = "https://api.spotify.com/v1"
}

variable "spotify_auth_url" {
  type        = string
  description = "Spotify token endpoint (SPOTIFY_AUTH_URL)."
  default     = "https://accounts.spotify.com/api/token"
}

variable "extract_max_concurrency" {
  type        = number
  description = "Pages of one playlist fetched concurrently (MAX_CONCURRENCY); playlists are read one after another."
  default     = 16

  validation {
    condition     = var.extract_max_concurrency >= 1 && var.extract_max_concurrency <= 64
    error_message = "MAX_CONCURRENCY must be between 1 and 64."
  }
}

variable "extract_api_shape" {
  type        = string
  description = "Which playlist endpoint the extractor reads (SPOTIFY_API_SHAPE): auto picks /items with a refresh token and legacy /tracks with client credentials."
  default     = "auto"

  validation {
    condition     = contains(["auto", "items", "tracks"], var.extract_api_shape)
    error_message = "extract_api_shape must be auto, items or tracks."
  }
}

variable "extract_timeout_seconds" {
  type        = number
  description = "Timeout of one extraction, in seconds."
  default     = 600

  validation {
    condition     = var.extract_timeout_seconds >= 60 && var.extract_timeout_seconds <= 900
    error_message = "Between 60 and 900 seconds: the extractor keeps 44 s in reserve to finish cleanly before the Lambda deadline."
  }
}

variable "extract_memory_mb" {
  type        = number
  description = "Memory of the extract Lambda in MB."
  default     = 512

  validation {
    condition     = var.extract_memory_mb >= 128 && var.extract_memory_mb <= 10240
    error_message = "Lambda memory ranges from 128 to 10240 MB."
  }
}

variable "extract_reserved_concurrency" {
  type        = number
  description = "Reserved concurrent executions of the extract Lambda; 1 keeps a retry from overlapping a running extraction. null reserves none: Lambda refuses any reservation that leaves the account fewer than its minimum unreserved executions (a new account whose quota is 10 cannot reserve any)."
  default     = 1

  # 0 would throttle every invocation, i.e. disable the pipeline.
  validation {
    condition     = var.extract_reserved_concurrency == null ? true : var.extract_reserved_concurrency >= 1
    error_message = "extract_reserved_concurrency must be at least 1, or null for no reservation."
  }
}

variable "extract_maximum_retry_attempts" {
  type        = number
  description = "Retries of a failed scheduled invocation before it goes to the dead-letter queue."
  default     = 2

  validation {
    condition     = var.extract_maximum_retry_attempts >= 0 && var.extract_maximum_retry_attempts <= 2
    error_message = "Lambda allows 0 to 2 retries of an asynchronous invocation."
  }
}

variable "secret_recovery_window_days" {
  type        = number
  description = "Days a deleted Spotify secret stays recoverable; 0 deletes it at once (throw-away environments)."
  default     = 7

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "Secrets Manager accepts 0 or 7 to 30 days."
  }
}

# ---------------------------------------------------------------------------------
# Schedules
# ---------------------------------------------------------------------------------

variable "schedule_timezone" {
  type        = string
  description = "IANA time zone both schedules are evaluated in (e.g. Europe/Berlin)."
  default     = "UTC"
}

variable "extract_schedule_expression" {
  type        = string
  description = "When the extract Lambda runs (EventBridge Scheduler syntax). Default: Mondays 06:00."
  default     = "cron(0 6 ? * MON *)"

  validation {
    condition     = can(regex("^(cron|rate|at)\\(.+\\)$", var.extract_schedule_expression))
    error_message = "Use an EventBridge Scheduler expression: cron(...), rate(...) or at(...)."
  }
}

variable "enrich_schedule_expression" {
  type        = string
  description = "When the extract Lambda runs its enrichment task ({\"task\": \"enrich\"}: charted tracks looked up through GET /tracks/{id}, docs/track-documents.md), in schedule_timezone. Default: every hour at :30, so that a backfill spreads over many short runs and new chart work lists are picked up within the hour; a run with nothing pending makes no Spotify request."
  default     = "cron(30 * * * ? *)"

  validation {
    condition     = can(regex("^(cron|rate|at)\\(.+\\)$", var.enrich_schedule_expression))
    error_message = "Use an EventBridge Scheduler expression: cron(...), rate(...) or at(...)."
  }
}

variable "enrich_schedule_enabled" {
  type        = bool
  description = "Whether the enrichment schedule runs (false pauses it, e.g. while Spotify refuses the app; the queue waits in s3://<raw>/enrichment/state.json.gz)."
  default     = true
}

variable "enrich_max_tracks" {
  type        = number
  description = "Track ids the enrichment fetches at most per run (ENRICH_MAX_TRACKS; the code's default is 1000); the Lambda's deadline may stop a run sooner, and a backfill spreads over as many scheduled runs as it needs."
  default     = 1000

  validation {
    condition     = var.enrich_max_tracks >= 0 && floor(var.enrich_max_tracks) == var.enrich_max_tracks
    error_message = "enrich_max_tracks must be a whole number >= 0."
  }
}

variable "enrich_concurrency" {
  type        = number
  description = "GET /tracks/{id} requests the enrichment keeps in flight (ENRICH_CONCURRENCY, 1-64; the code's default is 4); a 429 pauses them all."
  default     = 4

  validation {
    condition     = var.enrich_concurrency >= 1 && var.enrich_concurrency <= 64 && floor(var.enrich_concurrency) == var.enrich_concurrency
    error_message = "enrich_concurrency must be a whole number between 1 and 64."
  }
}

variable "enrich_backlog_alarm_days" {
  type        = number
  description = "Days in a row the enrichment queue may end every run with ids still pending before an alarm says the backfill is stalled or larger than the schedule drains (CloudWatch evaluates at most 7 daily datapoints)."
  default     = 3

  validation {
    condition     = var.enrich_backlog_alarm_days >= 1 && var.enrich_backlog_alarm_days <= 7 && floor(var.enrich_backlog_alarm_days) == var.enrich_backlog_alarm_days
    error_message = "enrich_backlog_alarm_days must be a whole number between 1 and 7."
  }
}

variable "glue_schedule_expression" {
  type        = string
  description = "When the Glue workflow (job, then crawlers) runs. Leave a margin after the extraction; default: Mondays 09:00."
  default     = "cron(0 9 ? * MON *)"

  validation {
    condition     = can(regex("^(cron|rate|at)\\(.+\\)$", var.glue_schedule_expression))
    error_message = "Use an EventBridge Scheduler expression: cron(...), rate(...) or at(...)."
  }
}

# ---------------------------------------------------------------------------------
# Glue
# ---------------------------------------------------------------------------------

variable "glue_worker_type" {
  type        = string
  description = "Worker type of the star-schema job."
  default     = "G.1X"
}

variable "glue_number_of_workers" {
  type        = number
  description = "Number of workers of the star-schema job."
  default     = 2

  validation {
    condition     = var.glue_number_of_workers >= 2
    error_message = "A Glue Spark job needs at least 2 workers."
  }
}

variable "glue_execution_class" {
  type        = string
  description = "FLEX (spare capacity at a lower price, may start later) or STANDARD."
  default     = "FLEX"

  validation {
    condition     = contains(["FLEX", "STANDARD"], var.glue_execution_class)
    error_message = "glue_execution_class must be FLEX or STANDARD."
  }

  validation {
    condition     = var.glue_execution_class == "STANDARD" || contains(["G.1X", "G.2X"], var.glue_worker_type)
    error_message = "FLEX execution is only available for the G.1X and G.2X worker types."
  }
}

variable "glue_timeout_minutes" {
  type        = number
  description = "Timeout of one job run, in minutes."
  default     = 60
}

variable "glue_max_retries" {
  type        = number
  description = "Retries of a failed job run; FLEX runs can be interrupted when AWS reclaims capacity, so one retry is the default."
  default     = 1
}

# ---------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------

variable "raw_transition_days" {
  type        = number
  description = "Age in days after which raw snapshots move to raw_transition_storage_class."
  default     = 30
}

variable "raw_transition_storage_class" {
  type        = string
  description = "Storage class of aged raw snapshots. Only classes the Glue job can read without a restore are allowed."
  default     = "STANDARD_IA"

  validation {
    condition     = contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR"], var.raw_transition_storage_class)
    error_message = "Use STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING or GLACIER_IR: the archive classes need a restore before Glue can reprocess the snapshots."
  }

  validation {
    condition     = !contains(["STANDARD_IA", "ONEZONE_IA"], var.raw_transition_storage_class) || var.raw_transition_days >= 30
    error_message = "S3 transitions objects to STANDARD_IA or ONEZONE_IA no earlier than 30 days after creation."
  }
}

variable "raw_noncurrent_version_expiration_days" {
  type        = number
  description = "Days after which an overwritten or deleted raw snapshot version is removed."
  default     = 90
}

variable "athena_results_expiration_days" {
  type        = number
  description = "Days after which Athena query results are deleted."
  default     = 7
}

variable "access_log_expiration_days" {
  type        = number
  description = "Days after which S3 server access logs are deleted."
  default     = 90
}

variable "log_retention_days" {
  type        = number
  description = "Retention of the CloudWatch log groups (Lambda, Glue job), in days."
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "CloudWatch Logs accepts only 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days."
  }
}

# ---------------------------------------------------------------------------------
# Athena and monitoring
# ---------------------------------------------------------------------------------

variable "athena_bytes_scanned_cutoff_per_query" {
  type        = number
  description = "Athena cancels a query once it has scanned this many bytes. Default 1 GiB: about 0.005 USD per query at 5 USD/TB."
  default     = 1073741824

  validation {
    condition     = var.athena_bytes_scanned_cutoff_per_query >= 10485760
    error_message = "Athena's minimum per-query cutoff is 10 MB (10485760 bytes)."
  }
}

variable "alarm_email_addresses" {
  type        = list(string)
  description = "E-mail addresses notified of pipeline failures (each confirms a subscription e-mail once)."
  default     = []

  validation {
    condition     = alltrue([for address in var.alarm_email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", address))])
    error_message = "Each alarm address must look like name@example.com."
  }
}

# ---------------------------------------------------------------------------------
# Snowflake (optional)
# ---------------------------------------------------------------------------------

variable "snowflake_enabled" {
  type        = bool
  description = "Deploy the Snowflake serving layer: storage integration and the IAM role it assumes, stage, landing tables, auto-ingest pipes and the curated bucket's event notification. Read at `terraform init` (a const variable): run `terraform init` again after changing it. Credentials come from the environment (docs/deploy.md)."
  default     = false
  const       = true
}

variable "snowflake_role" {
  type        = string
  description = "Snowflake role Terraform works as when snowflake_enabled; it needs CREATE INTEGRATION (ACCOUNTADMIN has it) besides creating databases and warehouses."
  default     = "ACCOUNTADMIN"
}

variable "snowflake_warehouse_size" {
  type        = string
  description = "Size of SPOTIFY_WH (the merge tasks need no more than XSMALL at this scale)."
  default     = "XSMALL"
}

variable "snowflake_warehouse_auto_suspend_seconds" {
  type        = number
  description = "Idle seconds before SPOTIFY_WH suspends; Snowflake bills a minimum of 60 seconds per resume."
  default     = 60

  validation {
    condition     = var.snowflake_warehouse_auto_suspend_seconds >= 60
    error_message = "Use at least 60 seconds: each resume is billed for at least a minute anyway."
  }
}


# ---------------------------------------------------------------------------------
# Charts (the drop zone s3://<raw bucket>/charts/ and the chart job)
# ---------------------------------------------------------------------------------

variable "chart_schedule_expression" {
  type        = string
  description = "When the chart job also runs without new files (a catch-up for events Glue did not act on), in schedule_timezone; default: Saturdays 09:00, after the week's charts are out."
  default     = "cron(0 9 ? * SAT *)"

  validation {
    condition     = can(regex("^(cron|rate|at)\\(.+\\)$", var.chart_schedule_expression))
    error_message = "Use an EventBridge Scheduler expression: cron(...), rate(...) or at(...)."
  }
}

variable "chart_event_batch_size" {
  type        = number
  description = "Files added to the drop zone that start the chart workflow at once (Glue's event batch size, 1 to 100); fewer start it when chart_event_batch_window_seconds has passed since the first."
  default     = 100

  validation {
    condition     = var.chart_event_batch_size >= 1 && var.chart_event_batch_size <= 100
    error_message = "Glue's EventBatchingCondition.BatchSize is 1 to 100."
  }
}

variable "chart_event_batch_window_seconds" {
  type        = number
  description = "Seconds after the first new file (or the weekly event) at which the chart workflow starts, whatever the number of files (1 to 900)."
  default     = 900

  validation {
    condition     = var.chart_event_batch_window_seconds >= 1 && var.chart_event_batch_window_seconds <= 900
    error_message = "Glue's EventBatchingCondition.BatchWindow is 1 to 900 seconds."
  }
}
