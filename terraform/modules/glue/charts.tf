# The chart job's own workflow, started by EventBridge events (a Glue EVENT trigger): new
# chart files in the drop zone, and a weekly event. Inside it, as in the playlist workflow,
# a conditional trigger (crawlers.tf) starts the crawlers of the chart tables (source
# "charts") when the job SUCCEEDED.
#
#   s3://<raw>/charts/... Object Created ──(bucket's EventBridge notifications)──▶ rule chart_files ─┐
#   EventBridge Scheduler (weekly) ──PutEvents──▶ default bus ──▶ rule chart_weekly ─────────────────┤
#                                                                  glue:notifyEvent ◀────────────────┘
#   chart workflow: EVENT trigger (batch) ─▶ chart job ─SUCCEEDED─▶ crawlers of the chart tables
#
# A workflow has one start trigger (Glue's workflow restrictions), so the weekly run comes
# through the same EVENT trigger, as one more event, and not as a Glue SCHEDULED trigger (UTC
# only) or a StartWorkflowRun. Glue batches events: the workflow starts after
# chart_event_batch_size events or chart_event_batch_window_seconds after the first one. Glue
# does not promise to act on every event (an event that arrives while the one allowed run is
# going starts nothing); nothing is lost by that: the chart job's bookmark (by default its
# own, <curated>/_state/charts_bookmark.json; glue_jobs/chart_job.py) makes the next run, at
# the latest the weekly one, read every file it has not read yet.

locals {
  chart_workflow_name   = "${var.name_prefix}-charts"
  default_event_bus_arn = "arn:${local.partition}:events:${local.region}:${local.account_id}:event-bus/default"
  # What the weekly schedule puts on the default bus; an operator may send the same event
  # (docs/deploy.md) to start a run now.
  chart_run_event = {
    source      = "${var.name_prefix}.charts"
    detail_type = "Chart run requested"
  }
}

resource "aws_glue_workflow" "charts" {
  name                = local.chart_workflow_name
  description         = "Chart job (charts drop zone), then one crawler per chart table"
  max_concurrent_runs = 1
}

# EVENT triggers fire only on events, so unlike the playlist workflow's ON_DEMAND trigger
# this one must be enabled (activated) to work at all; creating it starts no run.
resource "aws_glue_trigger" "start_chart_job" {
  name          = "${var.name_prefix}-start-charts"
  description   = "Starts the chart job on new chart files or the weekly chart-run event"
  type          = "EVENT"
  workflow_name = aws_glue_workflow.charts.name
  enabled       = true

  event_batching_condition {
    batch_size   = var.chart_event_batch_size
    batch_window = var.chart_event_batch_window_seconds
  }

  actions {
    job_name = aws_glue_job.this["charts"].name
  }
}

# S3 sends every event of the raw bucket to EventBridge (the storage module enables it on
# the bucket); this rule keeps the new objects under the drop zone.
resource "aws_cloudwatch_event_rule" "chart_files" {
  name        = "${var.name_prefix}-chart-files"
  description = "A chart file was added to the charts drop zone"

  event_pattern = jsonencode({
    source        = ["aws.s3"]
    "detail-type" = ["Object Created"]
    detail = {
      bucket = { name = [var.raw_bucket_name] }
      object = { key = [{ prefix = "${var.charts_prefix}/" }] }
    }
  })
}

resource "aws_cloudwatch_event_rule" "chart_weekly" {
  name        = "${var.name_prefix}-chart-weekly"
  description = "The weekly (or an operator's) chart-run event"

  event_pattern = jsonencode({
    source        = [local.chart_run_event.source]
    "detail-type" = [local.chart_run_event.detail_type]
  })
}

# A Glue workflow target: EventBridge calls glue:notifyEvent with the role below, and the
# workflow's EVENT trigger counts the event. Failed deliveries are retried by EventBridge
# for a day; the monitoring module alarms on the rules' FailedInvocations.
resource "aws_cloudwatch_event_target" "chart_files" {
  rule     = aws_cloudwatch_event_rule.chart_files.name
  arn      = aws_glue_workflow.charts.arn
  role_arn = aws_iam_role.chart_events.arn
}

resource "aws_cloudwatch_event_target" "chart_weekly" {
  rule     = aws_cloudwatch_event_rule.chart_weekly.name
  arn      = aws_glue_workflow.charts.arn
  role_arn = aws_iam_role.chart_events.arn
}

resource "aws_iam_role" "chart_events" {
  name               = "${var.name_prefix}-chart-events"
  description        = "Lets the chart EventBridge rules notify the chart workflow"
  assume_role_policy = data.aws_iam_policy_document.assume_role["events"].json
}

data "aws_iam_policy_document" "chart_events" {
  statement {
    sid       = "NotifyChartWorkflow"
    actions   = ["glue:notifyEvent"]
    resources = [aws_glue_workflow.charts.arn]
  }
}

resource "aws_iam_role_policy" "chart_events" {
  name   = "notify-chart-workflow"
  role   = aws_iam_role.chart_events.id
  policy = data.aws_iam_policy_document.chart_events.json
}
