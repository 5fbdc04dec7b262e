# Versions are pinned once, in the root (terraform/versions.tf). A called module declares
# only what Terraform cannot infer: the source of a provider outside the hashicorp
# namespace (undeclared, snowflake_* resources would ask for hashicorp/snowflake).
terraform {
  required_providers {
    snowflake = {
      source = "snowflakedb/snowflake"
    }
  }
}
