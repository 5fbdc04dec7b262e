# The extract Lambda: once a week EventBridge Scheduler invokes it asynchronously; it
# reads the Spotify credentials from Secrets Manager and writes one gzip JSON document
# per playlist under s3://<raw>/playlist_snapshots/ (data contract section 1). A second
# schedule sends {"task": "enrich"}: the same function looks up charted tracks through
# GET /tracks/{id} (client credentials only) and lands track documents under
# s3://<raw>/tracks/, keeping its queue in s3://<raw>/enrichment/ (docs/track-documents.md).

data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

locals {
  function_name = "${var.name_prefix}-extract"
  account_id    = data.aws_caller_identity.current.account_id
  region        = data.aws_region.current.region
  # The service dimension of the extractor's metrics (glue_jobs/metric_names.py LAMBDA_SERVICE).
  metrics_service_name = "extract"
  # The enrichment's state object and work-list folder (extract_lambda.enrich.EnrichSettings:
  # state_key, todo_prefix).
  enrich_state_key   = "${var.enrich_prefix}/state.json.gz"
  enrich_todo_prefix = "${var.enrich_prefix}/todo/"
}

# Two schedules (schedule.tf) invoke the function (asynchronously), each with its own event:
# - weekly: an empty event, so the function extracts the playlists in PLAYLIST_IDS;
# - enrich (docs/track-documents.md): the event {"task": "enrich"}. Each run takes at most
#   ENRICH_MAX_TRACKS ids from the queue in s3://<raw>/enrichment/state.json.gz and saves
#   where it stopped, so a backfill of tens of thousands of tracks spreads over as many runs
#   as it needs and never overruns the Lambda's timeout. A run with nothing pending reads
#   the state and the work lists and makes no Spotify request.
# The function's reserved concurrency (1) keeps an enrichment run and the weekly extraction
# from overlapping: whichever comes second waits in Lambda's asynchronous queue (throttled
# events are retried within the event age).
locals {
  schedule_name_prefix = local.function_name
  schedules = {
    weekly = {
      description = "Invokes the extract Lambda (asynchronously) on the extraction schedule"
      expression  = var.schedule_expression
      target_arn  = aws_lambda_function.this.arn
      input       = jsonencode({})
    }
    enrich = {
      description = "Invokes the extract Lambda (asynchronously) with {\"task\": \"enrich\"}: charted tracks looked up through GET /tracks/{id}"
      expression  = var.enrich_schedule_expression
      enabled     = var.enrich_schedule_enabled
      target_arn  = aws_lambda_function.this.arn
      input       = jsonencode({ task = "enrich" })
    }
  }
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:The function only calls public endpoints (Spotify, S3, Secrets Manager); a VPC would need a NAT gateway (about 32 USD a month) to reach Spotify and would add no protection.
  #checkov:skip=CKV_AWS_272:The zip is built from this repository by `make package-lambda` and deployed by Terraform; there is no AWS Signer profile in the release process to sign it with.
  function_name = local.function_name
  description   = "Weekly Spotify playlist snapshots and hourly track documents of charted tracks into the raw bucket"
  role          = aws_iam_role.lambda.arn

  # Names fixed by the data contract (section 6); tools/tf_check holds them to it.
  handler = "extract_lambda.handler.lambda_handler"
  runtime = "python3.11"

  filename = var.package_path
  # A new zip (new code or new dependencies) changes the hash, and only then does
  # Terraform upload and publish the function again.
  source_code_hash = filebase64sha256(var.package_path)

  timeout                        = var.timeout_seconds
  memory_size                    = var.memory_mb
  reserved_concurrent_executions = var.reserved_concurrency == null ? -1 : var.reserved_concurrency
  kms_key_arn                    = var.kms_key_arn

  environment {
    variables = {
      RAW_BUCKET        = var.raw_bucket_name
      RAW_PREFIX        = var.raw_prefix
      RAW_KMS_KEY_ID    = var.kms_key_arn
      SPOTIFY_SECRET_ID = aws_secretsmanager_secret.this.arn
      PLAYLIST_IDS      = join(",", var.playlist_ids)
      SPOTIFY_MARKET    = var.spotify_market
      SPOTIFY_API_URL   = var.spotify_api_url
      SPOTIFY_AUTH_URL  = var.spotify_auth_url
      MAX_CONCURRENCY   = tostring(var.max_concurrency)
      SPOTIFY_API_SHAPE = var.api_shape
      # The enrichment task's settings (docs/track-documents.md); the playlist task
      # ignores them.
      TRACKS_PREFIX      = var.tracks_prefix
      ENRICH_PREFIX      = var.enrich_prefix
      ENRICH_MAX_TRACKS  = tostring(var.enrich_max_tracks)
      ENRICH_CONCURRENCY = tostring(var.enrich_concurrency)
      # aws-lambda-powertools Metrics (EMF through the function's log group): names in
      # glue_jobs/metric_names.py, alarms in the monitoring module.
      POWERTOOLS_SERVICE_NAME      = local.metrics_service_name
      POWERTOOLS_METRICS_NAMESPACE = var.metrics_namespace
    }
  }

  tracing_config {
    mode = "Active"
  }

  # Asynchronous invocations that still fail after the retries land here (the
  # monitoring module alarms on it) instead of disappearing.
  dead_letter_config {
    target_arn = aws_sqs_queue.this.arn
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.this.name
  }

  depends_on = [aws_iam_role_policy.lambda]
}

resource "aws_lambda_function_event_invoke_config" "this" {
  function_name = aws_lambda_function.this.function_name
  # A retry re-extracts every playlist; that is safe because the Glue job keeps the
  # latest extraction per playlist and day ("latest wins", data contract section 3). A
  # retried enrichment resumes from its queue; documents already landed that day are
  # found in place, not written again.
  maximum_retry_attempts       = var.maximum_retry_attempts
  maximum_event_age_in_seconds = 3600
}

# Retained for 14 days (the SQS maximum): long enough to notice the alarm, read the
# failed event and re-drive it by hand.
resource "aws_sqs_queue" "this" {
  name                              = "${local.function_name}-dlq"
  message_retention_seconds         = 1209600
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 3600
}
