output "kms_key_arn" {
  description = "ARN of the lake's customer-managed KMS key."
  value       = aws_kms_key.this.arn
}

output "raw_bucket_name" {
  description = "Name of the raw snapshot bucket."
  value       = aws_s3_bucket.raw.id
}

output "raw_bucket_arn" {
  description = "ARN of the raw snapshot bucket."
  value       = aws_s3_bucket.raw.arn
}

output "curated_bucket_name" {
  description = "Name of the curated (star schema) bucket."
  value       = aws_s3_bucket.curated.id
}

output "curated_bucket_arn" {
  description = "ARN of the curated (star schema) bucket."
  value       = aws_s3_bucket.curated.arn
}

output "athena_results_bucket_name" {
  description = "Name of the Athena query results bucket."
  value       = aws_s3_bucket.athena_results.id
}

output "athena_results_bucket_arn" {
  description = "ARN of the Athena query results bucket."
  value       = aws_s3_bucket.athena_results.arn
}

output "glue_assets_bucket_name" {
  description = "Name of the bucket holding the Glue job script, its library zip and Glue's temporary files."
  value       = aws_s3_bucket.glue_assets.id
}

output "glue_assets_bucket_arn" {
  description = "ARN of the Glue assets bucket."
  value       = aws_s3_bucket.glue_assets.arn
}

output "access_logs_bucket_name" {
  description = "Name of the bucket receiving S3 server access logs of the other buckets."
  value       = aws_s3_bucket.access_logs.id
}
