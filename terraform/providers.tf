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

# Configured only when var.snowflake_enabled is true: otherwise no resource uses it and
# Terraform prunes it from the graph, so it never logs in. Connection and credentials come
# from the environment (SNOWFLAKE_ORGANIZATION_NAME, SNOWFLAKE_ACCOUNT_NAME, SNOWFLAKE_USER,
# SNOWFLAKE_AUTHENTICATOR=SNOWFLAKE_JWT, SNOWFLAKE_PRIVATE_KEY...) or a ~/.snowflake/config
# profile, never from variables, so no Snowflake secret is in a tfvars file or in the plan.
# The block stays here, not in modules/snowflake, so that switching Snowflake off can still
# destroy what it created.
provider "snowflake" {
  role = var.snowflake_role

  # Tables and pipes are still preview features of provider 2.x and must be enabled by
  # name; the storage integration, stage and file format resources used here are stable
  # (since 2.18 and 2.21; the provider warns about stable names left in this list).
  preview_features_enabled = [
    "snowflake_table_resource",
    "snowflake_pipe_resource",
  ]
}
