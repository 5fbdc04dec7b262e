# EventBridge Scheduler rather than an EventBridge rule: it evaluates cron expressions
# in a time zone (a weekly run stays at the same local hour across daylight saving) and
# has its own retry policy and dead-letter queue for invocations that never reach the
# function.
resource "aws_scheduler_schedule" "this" {
  name                         = "${local.function_name}-weekly"
  description                  = "Invokes the extract Lambda (asynchronously) on the extraction schedule"
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = var.schedule_timezone
  kms_key_arn                  = var.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.this.arn
    role_arn = aws_iam_role.scheduler.arn
    # An empty event: the function extracts the playlists in PLAYLIST_IDS.
    input = jsonencode({})

    retry_policy {
      maximum_retry_attempts       = 3
      maximum_event_age_in_seconds = 3600
    }

    dead_letter_config {
      arn = aws_sqs_queue.this.arn
    }
  }
}
