# Everything that can go wrong in a weekly run ends on one encrypted SNS topic: Lambda
# errors and dead letters through CloudWatch alarms, failed Glue job runs and crawls
# through EventBridge rules (Glue emits state-change events; there is no failure metric).

data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  # Custom metrics of this deployment (CloudWatch reserves the AWS/ prefix).
  metric_namespace = "SpotifyLakehouse/${var.name_prefix}"
  # The no-successful-run alarm: daily datapoints, as many as CloudWatch evaluates
  # (Period x EvaluationPeriods <= 604,800 s).
  no_success_period_seconds     = 86400
  no_success_evaluation_periods = 7
}

resource "aws_sns_topic" "this" {
  name              = var.alarm_topic_name
  display_name      = "${var.name_prefix} pipeline alarms"
  kms_master_key_id = var.kms_key_arn
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "AccountManagesTheTopic"
    actions   = ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:Subscribe", "SNS:Publish"]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "AWS"
      identifiers = [local.account_id]
    }
  }

  statement {
    sid       = "AlarmsAndEventRulesOfThisAccountPublish"
    actions   = ["SNS:Publish"]
    resources = [aws_sns_topic.this.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "this" {
  arn    = aws_sns_topic.this.arn
  policy = data.aws_iam_policy_document.topic.json
}

resource "aws_sns_topic_subscription" "this" {
  for_each = toset(var.alarm_email_addresses)

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = each.key
}
