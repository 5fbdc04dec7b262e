output "alarm_topic_arn" {
  description = "SNS topic receiving every pipeline alarm; subscribe more endpoints to it as needed."
  value       = aws_sns_topic.this.arn
}

output "metric_namespace" {
  description = "CloudWatch namespace of the pipeline's own metrics (SpotifyLakehouse/<name_prefix>), given to the Lambda and the Glue job."
  value       = local.metric_namespace
}
