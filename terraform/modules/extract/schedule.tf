# EventBridge Scheduler rather than an EventBridge rule: it evaluates cron expressions
# in a time zone (a weekly run stays at the same local hour across daylight saving) and
# has its own retry policy and dead-letter queue for invocations that never reach the
# function.
#
# Two schedules invoke the function (asynchronously), each with its own event:
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
  schedules = {
    weekly = {
      description = "Invokes the extract Lambda (asynchronously) on the extraction schedule"
      expression  = var.schedule_expression
      enabled     = true
      input       = jsonencode({})
    }
    enrich = {
      description = "Invokes the extract Lambda (asynchronously) with {\"task\": \"enrich\"}: charted tracks looked up through GET /tracks/{id}"
      expression  = var.enrich_schedule_expression
      enabled     = var.enrich_schedule_enabled
      input       = jsonencode({ task = "enrich" })
    }
  }
}

resource "aws_scheduler_schedule" "this" {
  for_each = local.schedules

  name                         = "${local.function_name}-${each.key}"
  description                  = each.value.description
  schedule_expression          = each.value.expression
  schedule_expression_timezone = var.schedule_timezone
  state                        = each.value.enabled ? "ENABLED" : "DISABLED"
  kms_key_arn                  = var.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.this.arn
    role_arn = aws_iam_role.scheduler.arn
    input    = each.value.input

    retry_policy {
      maximum_retry_attempts       = 3
      maximum_event_age_in_seconds = 3600
    }

    dead_letter_config {
      arn = aws_sqs_queue.this.arn
    }
  }
}

# The two schedules were one resource each (this, enrich) before they became one for_each
# resource (issue 21): these blocks move their state, so an existing deployment keeps them.
moved {
  from = aws_scheduler_schedule.this
  to   = aws_scheduler_schedule.this["weekly"]
}

moved {
  from = aws_scheduler_schedule.enrich
  to   = aws_scheduler_schedule.this["enrich"]
}
