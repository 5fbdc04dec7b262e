provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(var.tags, {
      Project     = var.project
      Environment = var.environment
      ManagedBy   = "terraform"
    })
  }
}

# Connection and credentials come from the environment (SNOWFLAKE_ORGANIZATION_NAME,
# SNOWFLAKE_ACCOUNT_NAME, SNOWFLAKE_USER, SNOWFLAKE_AUTHENTICATOR=SNOWFLAKE_JWT,
# SNOWFLAKE_PRIVATE_KEY...) or a ~/.snowflake/config profile, never from variables, so
# no Snowflake secret is in a tfvars file or in the plan.
provider "snowflake" {
  role = var.snowflake_role

  # In provider 2.x these resources are preview features and must be enabled by name.
  preview_features_enabled = [
    "snowflake_storage_integration_resource",
    "snowflake_stage_resource",
    "snowflake_file_format_resource",
    "snowflake_table_resource",
    "snowflake_pipe_resource",
  ]
}
