# Sequencing: EventBridge Scheduler starts the workflow a few hours after the weekly
# extraction (both schedules are variables, evaluated in the same time zone); inside the
# workflow an on-demand trigger starts the job and a conditional trigger (crawlers.tf)
# starts the crawler of every table the job writes (source "playlists") when the job
# SUCCEEDED. The chart job has its own workflow (charts.tf).
#
# Glue fires a conditional trigger only for runs started by a trigger of the same
# workflow, so the job must be started through the workflow
# (`aws glue start-workflow-run`), never with `start-job-run`, or the crawlers will not
# follow. A failed job run starts no crawler; the monitoring module alarms on it.

resource "aws_glue_workflow" "this" {
  name                = "${var.name_prefix}-weekly"
  description         = "Star-schema job, then one crawler per table it writes"
  max_concurrent_runs = 1
}

resource "aws_glue_trigger" "start_job" {
  name          = "${var.name_prefix}-start-star-schema"
  description   = "Starts the star-schema job when the workflow starts"
  type          = "ON_DEMAND"
  workflow_name = aws_glue_workflow.this.name
  # The provider starts an ON_DEMAND trigger when it creates it unless enabled = false
  # (terraform-provider-aws #38222, #42498; the flag's meaning for ON_DEMAND comes from
  # #17413/#17488): the first apply would run the job and the crawlers before any data or
  # secret exists, and the guide's first `aws glue start-workflow-run` would then meet
  # ConcurrentRunsExceededException. Starting the workflow fires it all the same.
  enabled = false

  actions {
    job_name = aws_glue_job.this.name
  }
}

# A universal target (the Glue StartWorkflowRun API) instead of a SCHEDULED Glue
# trigger: Glue triggers evaluate cron in UTC only, EventBridge Scheduler in the same
# time zone as the extraction schedule.
resource "aws_scheduler_schedule" "this" {
  name                         = "${var.name_prefix}-glue-weekly"
  description                  = "Starts the Glue workflow (star-schema job, then crawlers)"
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = var.schedule_timezone
  kms_key_arn                  = var.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = "arn:${local.partition}:scheduler:::aws-sdk:glue:startWorkflowRun"
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ Name = aws_glue_workflow.this.name })

    retry_policy {
      maximum_retry_attempts       = 3
      maximum_event_age_in_seconds = 3600
    }

    # A start that never reaches Glue lands in the pipeline's dead-letter queue, which
    # the monitoring module alarms on.
    dead_letter_config {
      arn = var.dead_letter_queue_arn
    }
  }
}
