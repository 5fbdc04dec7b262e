# Every bucket refuses requests that do not use TLS, whoever makes them. An explicit
# Deny in the bucket policy wins over any Allow an IAM policy might grant later. One
# document per bucket (its ARN and its objects), the same statement for all five.

data "aws_iam_policy_document" "tls_only" {
  for_each = local.buckets

  statement {
    sid       = "DenyRequestsWithoutTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

# The log bucket's policy: its TLS-only statement, and the log delivery.
data "aws_iam_policy_document" "access_logs" {
  source_policy_documents = [data.aws_iam_policy_document.tls_only["access_logs"].json]

  # S3 delivers server access logs as the logging service; the conditions keep other
  # accounts' buckets from writing here (confused deputy).
  statement {
    sid       = "S3ServerAccessLogDelivery"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [for bucket in local.lake_buckets : bucket.arn]
    }
  }
}

# The policies wait for the public access blocks: S3 evaluates a new policy against
# BlockPublicPolicy, and applying both at once can race.
resource "aws_s3_bucket_policy" "this" {
  for_each = local.lake_buckets

  bucket     = each.value.id
  policy     = data.aws_iam_policy_document.tls_only[each.key].json
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket     = aws_s3_bucket.access_logs.id
  policy     = data.aws_iam_policy_document.access_logs.json
  depends_on = [aws_s3_bucket_public_access_block.this]
}
