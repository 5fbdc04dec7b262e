resource "aws_cloudwatch_event_rule" "glue_job_failed" {
  name        = "${var.name_prefix}-glue-job-failed"
  description = "A run (or retry attempt) of the star-schema or the chart job failed, timed out or was stopped"

  event_pattern = jsonencode({
    source        = ["aws.glue"]
    "detail-type" = ["Glue Job State Change"]
    detail = {
      jobName = [var.glue_job_name, var.chart_job_name]
      state   = ["FAILED", "TIMEOUT", "ERROR", "STOPPED"]
    }
  })
}

resource "aws_cloudwatch_event_target" "glue_job_failed" {
  rule = aws_cloudwatch_event_rule.glue_job_failed.name
  arn  = aws_sns_topic.this.arn
}

resource "aws_cloudwatch_event_rule" "glue_crawler_failed" {
  name        = "${var.name_prefix}-glue-crawler-failed"
  description = "A curated-table crawler (playlist or chart table) failed"

  event_pattern = jsonencode({
    source        = ["aws.glue"]
    "detail-type" = ["Glue Crawler State Change"]
    detail = {
      crawlerName = var.crawler_names
      state       = ["Failed"]
    }
  })
}

resource "aws_cloudwatch_event_target" "glue_crawler_failed" {
  rule = aws_cloudwatch_event_rule.glue_crawler_failed.name
  arn  = aws_sns_topic.this.arn
}
