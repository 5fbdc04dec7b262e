variable "name_prefix" {
  type        = string
  description = "Prefix of resource names (project-environment)."
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of the lake's KMS key; query results are encrypted with it."
}

variable "results_bucket_name" {
  type        = string
  description = "Bucket receiving query results."
}

variable "database_name" {
  type        = string
  description = "Glue database the named queries run against."
}

variable "sql_dir" {
  type        = string
  description = "Directory whose .sql files (one statement each) become named queries; the file name without .sql is the query name."
}

variable "bytes_scanned_cutoff_per_query" {
  type        = number
  description = "Athena cancels a query of this workgroup once it has scanned this many bytes (minimum 10 MB)."
}

variable "force_destroy" {
  type        = bool
  description = "Let terraform destroy delete the workgroup together with its saved queries and history."
}
