# The alarms on counts above zero: an error, a dead letter, a failed playlist or track id, a
# stalled enrichment queue, a quarantined file, a failed data-quality rule. They share their
# test (> 0), missing data (not breaching: each metric has datapoints only when something
# ran, so a weekly function or job has none most of the time; that is not a failure) and
# their actions (the topic, on ALARM and on OK). Each entry of count_alarms says what
# differs: name, description, metric and its dimensions, and where it is not the default,
# the namespace (this deployment's metrics), the statistic (Sum), the period (one hour) and
# the evaluation periods (one).
#
# The pipeline's own metrics (names: glue_jobs/metric_names.py, which tools/tf_check
# compares with these alarms; what they mean: docs/operations.md). Each is a count the code
# publishes only when it ran, so a missing datapoint is "nothing happened", except for the
# job's SuccessfulRuns, whose absence is the alarm (no_successful_run below).
locals {
  count_alarms = {
    lambda_errors = {
      alarm_name        = "${var.lambda_function_name}-errors"
      alarm_description = "The extract Lambda raised an error (it may still succeed on retry; the dead-letter alarm fires if it never does)."
      namespace         = "AWS/Lambda"
      metric_name       = "Errors"
      dimensions        = { FunctionName = var.lambda_function_name }
      period            = 300
    }

    dead_letters = {
      alarm_name        = "${var.dead_letter_queue_name}-not-empty"
      alarm_description = "A scheduled extraction or workflow start failed for good; the event waits in the dead-letter queue."
      namespace         = "AWS/SQS"
      metric_name       = "ApproximateNumberOfMessagesVisible"
      dimensions        = { QueueName = var.dead_letter_queue_name }
      statistic         = "Maximum"
      period            = 300
    }

    # The ERROR log lines of the extractor (the metric filter below): a failed playlist
    # raises no Lambda error.
    extract_errors = {
      alarm_name        = "${var.lambda_function_name}-error-lines"
      alarm_description = "The extractor logged an ERROR: a playlist was skipped or not attempted, or the run broke before its metrics (the reason is in the log line; the run's summary lists them all)."
      metric_name       = aws_cloudwatch_log_metric_filter.this.metric_transformation[0].name
      period            = 300
    }

    playlists_failed = {
      alarm_name        = "${var.lambda_function_name}-playlists-failed"
      alarm_description = "An extraction finished with failed playlists (PlaylistsFailedByReason says why; the ERROR log lines name each playlist)."
      metric_name       = "PlaylistsFailed"
      dimensions        = { service = var.lambda_service_name }
      period            = 300
    }

    # The enrichment task of the same function (docs/track-documents.md): TracksFailed
    # counts every id of a run that failed or was refused, whatever the reason (404 and
    # invalid ids are given up at once, passing failures after five runs), so each reaches
    # an operator once.
    tracks_failed = {
      alarm_name        = "${var.lambda_function_name}-tracks-failed"
      alarm_description = "An enrichment run had failed track ids (TracksFailedByReason and the run's summary say why: not_found, invalid_id, local_file, server_error...). Given-up ids are never retried; see docs/operations.md."
      metric_name       = "TracksFailed"
      dimensions        = { service = var.lambda_service_name }
    }

    # A backfill that stops progressing: every run publishes TracksPending, the ids still
    # queued when it ended. Its daily minimum is 0 on any day one run emptied the queue; a
    # minimum above 0 on enrich_backlog_days days in a row means the queue never emptied for
    # that long: runs that settle nothing (they also fail, and the Lambda error alarm
    # fires), or a backlog larger than the schedule drains. Days without a run are not
    # counted (a paused schedule raises nothing here).
    tracks_pending = {
      alarm_name         = "${var.lambda_function_name}-enrichment-backlog"
      alarm_description  = "The enrichment queue has not emptied for ${var.enrich_backlog_days} days in a row (TracksPending's daily minimum > 0): a backfill is stalled or larger than the schedule drains. See docs/operations.md."
      metric_name        = "TracksPending"
      dimensions         = { service = var.lambda_service_name }
      statistic          = "Minimum"
      period             = 86400
      evaluation_periods = var.enrich_backlog_days
    }

    files_quarantined = {
      alarm_name        = "${var.glue_job_name}-files-quarantined"
      alarm_description = "A run of the star-schema job quarantined raw files (see <curated>/_quarantine/run_id=.../ for each file and reason)."
      metric_name       = "FilesQuarantined"
      dimensions        = { Job = var.glue_job_name }
    }

    chart_files_quarantined = {
      alarm_name        = "${var.chart_job_name}-files-quarantined"
      alarm_description = "A run of the chart job quarantined chart files (see <curated>/_quarantine/run_id=.../ for each file and reason)."
      metric_name       = "FilesQuarantined"
      dimensions        = { Job = var.chart_job_name }
    }

    data_quality_failures = {
      alarm_name        = "${var.glue_job_name}-data-quality-failures"
      alarm_description = "Data-quality rules failed in a run of the star-schema job (the run summary lists them)."
      metric_name       = "DataQualityFailures"
      dimensions        = { Job = var.glue_job_name }
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "above_zero" {
  for_each = local.count_alarms

  alarm_name          = each.value.alarm_name
  alarm_description   = each.value.alarm_description
  namespace           = lookup(each.value, "namespace", local.metric_namespace)
  metric_name         = each.value.metric_name
  dimensions          = lookup(each.value, "dimensions", null)
  statistic           = lookup(each.value, "statistic", "Sum")
  period              = lookup(each.value, "period", 3600)
  evaluation_periods  = lookup(each.value, "evaluation_periods", 1)
  datapoints_to_alarm = lookup(each.value, "evaluation_periods", null)
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]
}

# A run that lands some playlists succeeds, so a playlist that failed (skipped, or not
# attempted after the run stopped on a rate limit, quota or deadline) raises no Lambda error.
# The extractor logs every such failure at ERROR, once, with its reason: count those lines
# (alarm: count_alarms.extract_errors).
resource "aws_cloudwatch_log_metric_filter" "this" {
  name           = "${var.name_prefix}-extract-errors"
  log_group_name = var.lambda_log_group_name
  pattern        = "{ $.level = \"ERROR\" }"

  metric_transformation {
    name      = "ExtractErrorLines"
    namespace = local.metric_namespace
    value     = "1"
    unit      = "Count"
  }
}

# EventBridge retries a failed delivery to the chart workflow for a day, then drops it
# (AWS/Events FailedInvocations per rule). The files stay in the drop zone and the next run
# reads them, but an operator should know that new files started nothing. Its own resource:
# its keys are the rules' names, which depend on the deployment.
resource "aws_cloudwatch_metric_alarm" "chart_rule_failed_invocations" {
  for_each = toset(var.chart_rule_names)

  alarm_name          = "${each.key}-failed-invocations"
  alarm_description   = "EventBridge could not start the chart workflow (rule ${each.key}): check the rule's target role and the workflow; the files wait for the next run."
  namespace           = "AWS/Events"
  metric_name         = "FailedInvocations"
  dimensions          = { RuleName = each.key }
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]
}

# "No successful run within 8 days" cannot be one 8-day window: CloudWatch refuses an alarm
# whose Period x EvaluationPeriods exceeds 604,800 s (7 days), and 1 day for periods under an
# hour (PutMetricAlarm, Period). So: seven daily datapoints, every one of them empty
# (missing data breaches), the longest window CloudWatch evaluates. A daily datapoint is
# a whole day, so the alarm fires once seven whole days have passed without a success:
# with the weekly schedule, after the day of the next scheduled run ended without one,
# and at most eight days after the last success.
resource "aws_cloudwatch_metric_alarm" "no_successful_run" {
  alarm_name          = "${var.glue_job_name}-no-successful-run"
  alarm_description   = "The star-schema job has had no successful run (status ok or no_new_files) for seven whole days: the weekly run failed, was not started, or cannot publish metrics."
  namespace           = local.metric_namespace
  metric_name         = "SuccessfulRuns"
  dimensions          = { Job = var.glue_job_name }
  statistic           = "Sum"
  period              = local.no_success_period_seconds
  evaluation_periods  = local.no_success_evaluation_periods
  datapoints_to_alarm = local.no_success_evaluation_periods
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]
}

# The count alarms were one resource each before they became count_alarms (issue 21): these
# blocks move their state, so an existing deployment keeps its alarms.
moved {
  from = aws_cloudwatch_metric_alarm.lambda_errors
  to   = aws_cloudwatch_metric_alarm.above_zero["lambda_errors"]
}

moved {
  from = aws_cloudwatch_metric_alarm.dead_letters
  to   = aws_cloudwatch_metric_alarm.above_zero["dead_letters"]
}

moved {
  from = aws_cloudwatch_metric_alarm.extract_errors
  to   = aws_cloudwatch_metric_alarm.above_zero["extract_errors"]
}

moved {
  from = aws_cloudwatch_metric_alarm.playlists_failed
  to   = aws_cloudwatch_metric_alarm.above_zero["playlists_failed"]
}

moved {
  from = aws_cloudwatch_metric_alarm.tracks_failed
  to   = aws_cloudwatch_metric_alarm.above_zero["tracks_failed"]
}

moved {
  from = aws_cloudwatch_metric_alarm.tracks_pending
  to   = aws_cloudwatch_metric_alarm.above_zero["tracks_pending"]
}

moved {
  from = aws_cloudwatch_metric_alarm.files_quarantined
  to   = aws_cloudwatch_metric_alarm.above_zero["files_quarantined"]
}

moved {
  from = aws_cloudwatch_metric_alarm.chart_files_quarantined
  to   = aws_cloudwatch_metric_alarm.above_zero["chart_files_quarantined"]
}

moved {
  from = aws_cloudwatch_metric_alarm.data_quality_failures
  to   = aws_cloudwatch_metric_alarm.above_zero["data_quality_failures"]
}
