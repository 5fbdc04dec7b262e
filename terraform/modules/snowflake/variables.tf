variable "name_prefix" {
  type        = string
  description = "Prefix of the AWS resource names (project-environment), for the IAM role Snowflake assumes."
}

variable "curated_bucket_name" {
  type        = string
  description = "Curated bucket the stage reads and whose single S3 event notification feeds the pipes."
}

variable "curated_bucket_arn" {
  type        = string
  description = "ARN of the curated bucket."
}

variable "curated_prefix" {
  type        = string
  description = "Key prefix of the curated root (data contract: curated); the stage URL points at it."
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of the lake's KMS key; Snowflake's role may decrypt curated objects with it."
}

variable "tables" {
  type        = map(list(object({ name = string, type = string })))
  description = "Curated tables and the columns of their files (terraform/tables.json, generated from glue_jobs/tables.py): one landing table and one pipe each."
}

variable "partitions" {
  type        = map(object({ name = string, type = string }))
  description = "Each curated table's partition column and its Snowflake type (terraform/tables.json): the pipe reads it from the file's <name>=<value> directory."

  validation {
    condition     = alltrue([for partition in values(var.partitions) : partition.type == "DATE"])
    error_message = "The pipes read a partition as a date (yyyy-mm-dd after <name>= in the path); another type needs another expression in tables.tf."
  }
}

variable "warehouse_size" {
  type        = string
  description = "Size of SPOTIFY_WH, the warehouse of the merge tasks and of analysts' queries."
}

variable "warehouse_auto_suspend_seconds" {
  type        = number
  description = "Idle seconds after which SPOTIFY_WH suspends (and stops costing credits)."
}
