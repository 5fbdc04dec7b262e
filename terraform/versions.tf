terraform {
  # 1.9: variable validations may refer to other variables (glue_execution_class);
  # 1.10: S3-native state locking (use_lockfile) in environments/example/backend.tf.example.
  required_version = "~> 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}
