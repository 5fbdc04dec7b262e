# Glue has no failure metric but emits state-change events: a failed, timed-out or stopped
# job run and a failed crawl each reach the topic through an EventBridge rule on them.
locals {
  glue_failure_events = {
    "glue-job-failed" = {
      description = "A run (or retry attempt) of the star-schema or the chart job failed, timed out or was stopped"
      detail_type = "Glue Job State Change"
      detail      = { jobName = [var.glue_job_name, var.chart_job_name], state = ["FAILED", "TIMEOUT", "ERROR", "STOPPED"] }
    }
    "glue-crawler-failed" = {
      description = "A curated-table crawler (playlist or chart table) failed"
      detail_type = "Glue Crawler State Change"
      detail      = { crawlerName = var.crawler_names, state = ["Failed"] }
    }
  }
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each = local.glue_failure_events

  name        = "${var.name_prefix}-${each.key}"
  description = each.value.description

  event_pattern = jsonencode({
    source        = ["aws.glue"]
    "detail-type" = [each.value.detail_type]
    detail        = each.value.detail
  })
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = aws_cloudwatch_event_rule.this

  rule = each.value.name
  arn  = aws_sns_topic.this.arn
}

# The rules and their targets were one resource each before they became one for_each
# resource each (issue 21): these blocks move their state, so an existing deployment keeps
# them.
moved {
  from = aws_cloudwatch_event_rule.glue_job_failed
  to   = aws_cloudwatch_event_rule.this["glue-job-failed"]
}

moved {
  from = aws_cloudwatch_event_rule.glue_crawler_failed
  to   = aws_cloudwatch_event_rule.this["glue-crawler-failed"]
}

moved {
  from = aws_cloudwatch_event_target.glue_job_failed
  to   = aws_cloudwatch_event_target.this["glue-job-failed"]
}

moved {
  from = aws_cloudwatch_event_target.glue_crawler_failed
  to   = aws_cloudwatch_event_target.this["glue-crawler-failed"]
}
