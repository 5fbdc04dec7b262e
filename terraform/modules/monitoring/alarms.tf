resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  alarm_name          = "${var.lambda_function_name}-errors"
  alarm_description   = "The extract Lambda raised an error (it may still succeed on retry; the dead-letter alarm fires if it never does)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = var.lambda_function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  # A weekly function has no data points most of the time; that is not a failure.
  treat_missing_data = "notBreaching"
  alarm_actions      = [aws_sns_topic.this.arn]
  ok_actions         = [aws_sns_topic.this.arn]
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${var.dead_letter_queue_name}-not-empty"
  alarm_description   = "A scheduled extraction or workflow start failed for good; the event waits in the dead-letter queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = var.dead_letter_queue_name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]
}

# A run that lands some playlists succeeds, so a playlist that failed (skipped, or not
# attempted after the run stopped on a rate limit, quota or deadline) raises no Lambda error.
# The extractor logs every such failure at ERROR, once, with its reason: count those lines.
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

resource "aws_cloudwatch_metric_alarm" "extract_errors" {
  alarm_name          = "${var.lambda_function_name}-playlists-failed"
  alarm_description   = "The extractor logged an ERROR: a playlist was skipped or not attempted (its reason is in the log line; the run's summary lists them all)."
  namespace           = local.metric_namespace
  metric_name         = aws_cloudwatch_log_metric_filter.this.metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.this.arn]
  ok_actions          = [aws_sns_topic.this.arn]
}
