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
    job_name = aws_glue_job.this["playlists"].name
  }
}

# The module's schedules (schedule.tf): the weekly start of this workflow, through a
# universal target (the Glue StartWorkflowRun API) instead of a SCHEDULED Glue trigger,
# which evaluates cron in UTC only; and the chart workflow's weekly run, an event on the
# account's default bus that the chart workflow's rule passes on (charts.tf).
locals {
  schedule_name_prefix = var.name_prefix
  schedules = {
    "glue-weekly" = {
      description = "Starts the Glue workflow (star-schema job, then crawlers)"
      expression  = var.schedule_expression
      target_arn  = "arn:${local.partition}:scheduler:::aws-sdk:glue:startWorkflowRun"
      input       = jsonencode({ Name = aws_glue_workflow.this.name })
    }
    "charts-weekly" = {
      description = "Sends the weekly chart-run event (the chart workflow also starts on new files)"
      expression  = var.chart_schedule_expression
      target_arn  = local.default_event_bus_arn
      input       = jsonencode({ reason = "weekly" })
      event       = local.chart_run_event
    }
  }
}
