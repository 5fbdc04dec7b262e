# The trust loop without access keys. Snowflake assumes an IAM role of this account; the
# role trusts Snowflake's IAM user with the external id of the storage integration, and
# the integration names the role. The role's ARN is built from its name instead of read
# from the role resource, which breaks the cycle: the integration is created first, its
# user ARN and external id go into the trust policy, and the stage that uses the role is
# created last (docs/deploy.md describes the two-phase apply that lets IAM propagate).

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  role_name = "${var.name_prefix}-snowflake-curated-read"
  role_arn  = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${local.role_name}"
}

resource "snowflake_storage_integration_aws" "this" {
  name                      = local.integration
  comment                   = "Read access to the curated root of the Spotify playlist lake"
  enabled                   = true
  storage_provider          = "S3"
  storage_aws_role_arn      = local.role_arn
  storage_allowed_locations = [local.stage_url]
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [snowflake_storage_integration_aws.this.describe_output[0].iam_user_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [snowflake_storage_integration_aws.this.describe_output[0].external_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name               = local.role_name
  description        = "Assumed by Snowflake (storage integration ${local.integration}) to read the curated tables"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "read_curated" {
  statement {
    sid       = "ReadCuratedTables"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.curated_bucket_arn}/${var.curated_prefix}/*"]
  }

  statement {
    sid       = "ListCuratedRoot"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.curated_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.curated_prefix}/*"]
    }
  }

  statement {
    sid       = "DecryptCuratedObjects"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = "read-curated"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.read_curated.json
}
