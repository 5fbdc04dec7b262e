output "function_name" {
  description = "Name of the extract Lambda (for `aws lambda invoke` and the alarms)."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the extract Lambda."
  value       = aws_lambda_function.this.arn
}

output "secret_arn" {
  description = "ARN of the Secrets Manager secret whose value must be set out of band (SPOTIFY_SECRET_ID)."
  value       = aws_secretsmanager_secret.this.arn
}

output "secret_name" {
  description = "Name of the Spotify secret, for `aws secretsmanager put-secret-value --secret-id`."
  value       = aws_secretsmanager_secret.this.name
}

output "dead_letter_queue_arn" {
  description = "ARN of the queue receiving failed scheduled invocations."
  value       = aws_sqs_queue.this.arn
}

output "dead_letter_queue_name" {
  description = "Name of the dead-letter queue (for the alarm and for re-driving by hand)."
  value       = aws_sqs_queue.this.name
}

output "schedule_name" {
  description = "Name of the weekly EventBridge Scheduler schedule (the playlist extraction)."
  value       = aws_scheduler_schedule.this["weekly"].name
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = aws_cloudwatch_log_group.this.name
}

output "metrics_service_name" {
  description = "POWERTOOLS_SERVICE_NAME of the function: the service dimension of its metrics, which the alarms select."
  value       = local.metrics_service_name
}

output "enrich_schedule_name" {
  description = "Name of the EventBridge Scheduler schedule of the enrichment ({\"task\": \"enrich\"})."
  value       = aws_scheduler_schedule.this["enrich"].name
}
