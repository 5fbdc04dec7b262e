output "alarm_topic_arn" {
  description = "SNS topic receiving every pipeline alarm; subscribe more endpoints to it as needed."
  value       = aws_sns_topic.this.arn
}
