terraform {
  # 1.9: variable validations may refer to other variables (glue_execution_class);
  # 1.10: S3-native state locking (use_lockfile) in environments/example/backend.tf.example;
  # 1.15: const variables, which may choose a module's source (var.snowflake_enabled).
  required_version = "~> 1.15"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    # Installed by `terraform init` in every deployment, configured only when
    # snowflake_enabled is true (see main.tf).
    snowflake = {
      source  = "snowflakedb/snowflake"
      version = "~> 2.21"
    }
  }
}
