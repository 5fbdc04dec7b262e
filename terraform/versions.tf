terraform {
  # 1.9: variable validations may refer to other variables (glue_execution_class).
  required_version = "~> 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}
