# Optional Snowflake serving layer over the curated bucket of the AWS root (terraform/).
#
# A separate root rather than a count = 0 module in terraform/: Terraform configures every
# provider that appears in a configuration, even when no instance uses it, and the
# Snowflake provider logs in to Snowflake while being configured. In one root, an
# AWS-only deployment would need Snowflake credentials just to plan. Applying this root
# is the switch: nothing here exists until you apply it (docs/deploy.md).

locals {
  name_prefix = "${var.project}-${var.environment}"

  # The same contract names as terraform/main.tf (docs/data-contract.md section 6);
  # tools/tf_check compares both lists with the contract.
  curated_prefix = "curated"
  curated_tables = [
    "fact_playlist_item",
    "dim_track",
    "dim_album",
    "dim_artist",
    "dim_playlist",
    "bridge_track_artist",
    "bridge_album_artist",
  ]
}

# Looked up rather than passed as an ARN: a typo in the bucket name fails the plan here
# instead of producing a role that reads nothing.
data "aws_s3_bucket" "curated" {
  bucket = var.curated_bucket_name
}

module "snowflake" {
  source = "../modules/snowflake"

  name_prefix                    = local.name_prefix
  curated_bucket_name            = data.aws_s3_bucket.curated.id
  curated_bucket_arn             = data.aws_s3_bucket.curated.arn
  curated_prefix                 = local.curated_prefix
  kms_key_arn                    = var.kms_key_arn
  tables                         = local.curated_tables
  warehouse_size                 = var.warehouse_size
  warehouse_auto_suspend_seconds = var.warehouse_auto_suspend_seconds
}
