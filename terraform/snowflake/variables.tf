variable "aws_region" {
  type        = string
  description = "AWS region of the AWS root's deployment (the curated bucket's region)."
}

variable "project" {
  type        = string
  description = "Same project name as in the AWS root; names the IAM role Snowflake assumes."
  default     = "spotify-lakehouse"
}

variable "environment" {
  type        = string
  description = "Same environment name as in the AWS root."
  default     = "dev"
}

variable "tags" {
  type        = map(string)
  description = "Extra tags on the AWS resources of this root."
  default     = {}
}

variable "curated_bucket_name" {
  type        = string
  description = "Curated bucket of the AWS root: `terraform -chdir=terraform output -raw curated_bucket_name`."
}

variable "kms_key_arn" {
  type        = string
  description = "Lake KMS key of the AWS root: `terraform -chdir=terraform output -raw kms_key_arn`."
}

variable "snowflake_role" {
  type        = string
  description = "Snowflake role Terraform works as; it needs CREATE INTEGRATION (ACCOUNTADMIN has it) besides creating databases and warehouses."
  default     = "ACCOUNTADMIN"
}

variable "warehouse_size" {
  type        = string
  description = "Size of SPOTIFY_WH (the merge tasks need no more than XSMALL at this scale)."
  default     = "XSMALL"
}

variable "warehouse_auto_suspend_seconds" {
  type        = number
  description = "Idle seconds before SPOTIFY_WH suspends; Snowflake bills a minimum of 60 seconds per resume."
  default     = 60

  validation {
    condition     = var.warehouse_auto_suspend_seconds >= 60
    error_message = "Use at least 60 seconds: each resume is billed for at least a minute anyway."
  }
}
