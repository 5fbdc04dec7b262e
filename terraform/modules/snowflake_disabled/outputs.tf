output "storage_integration_name" {
  description = "Name of the Snowflake storage integration."
  value       = null
}

output "snowflake_role_arn" {
  description = "ARN of the IAM role Snowflake assumes to read the curated tables."
  value       = null
}

output "stage_name" {
  description = "Fully qualified name of the external stage over the curated root."
  value       = null
}

output "pipe_names" {
  description = "Fully qualified pipe name per curated table."
  value       = null
}

output "pipe_notification_channels" {
  description = "ARNs of the SQS queues Snowflake listens on for the pipes (targets of the bucket notification; usually one per account and region)."
  value       = null
}
