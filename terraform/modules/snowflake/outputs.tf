output "storage_integration_name" {
  description = "Name of the Snowflake storage integration."
  value       = snowflake_storage_integration_aws.this.name
}

output "snowflake_role_arn" {
  description = "ARN of the IAM role Snowflake assumes to read the curated tables."
  value       = aws_iam_role.this.arn
}

output "stage_name" {
  description = "Fully qualified name of the external stage over the curated root."
  value       = snowflake_stage_external_s3.this.fully_qualified_name
}

output "pipe_names" {
  description = "Fully qualified pipe name per curated table."
  value       = { for table, pipe in snowflake_pipe.this : table => pipe.fully_qualified_name }
}

output "pipe_notification_channels" {
  description = "ARNs of the SQS queues Snowflake listens on for the pipes (targets of the bucket notification; usually one per account and region)."
  value       = distinct([for pipe in snowflake_pipe.this : pipe.notification_channel])
}
