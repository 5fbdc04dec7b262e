output "storage_integration_name" {
  description = "Snowflake storage integration reading the curated bucket."
  value       = module.snowflake.storage_integration_name
}

output "snowflake_role_arn" {
  description = "IAM role Snowflake assumes (its trust policy holds the integration's IAM user and external id)."
  value       = module.snowflake.snowflake_role_arn
}

output "stage_name" {
  description = "External stage over the curated root."
  value       = module.snowflake.stage_name
}

output "pipe_names" {
  description = "Pipe per curated table."
  value       = module.snowflake.pipe_names
}

output "pipe_notification_channels" {
  description = "SQS queues the curated bucket notifies."
  value       = module.snowflake.pipe_notification_channels
}
