# Every bucket refuses requests that do not use TLS, whoever makes them. An explicit
# Deny in the bucket policy wins over any Allow an IAM policy might grant later. One
# document per bucket (its ARN and its objects), the same statement for all five.

data "aws_iam_policy_document" "tls_only" {
  for_each = {
    raw            = aws_s3_bucket.raw.arn
    curated        = aws_s3_bucket.curated.arn
    athena_results = aws_s3_bucket.athena_results.arn
    glue_assets    = aws_s3_bucket.glue_assets.arn
    access_logs    = aws_s3_bucket.access_logs.arn
  }

  statement {
    sid       = "DenyRequestsWithoutTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value, "${each.value}/*"]

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
      values = [
        aws_s3_bucket.raw.arn,
        aws_s3_bucket.curated.arn,
        aws_s3_bucket.athena_results.arn,
        aws_s3_bucket.glue_assets.arn,
      ]
    }
  }
}

# The policies wait for the public access blocks: S3 evaluates a new policy against
# BlockPublicPolicy, and applying both at once can race.
resource "aws_s3_bucket_policy" "raw" {
  bucket     = aws_s3_bucket.raw.id
  policy     = data.aws_iam_policy_document.tls_only["raw"].json
  depends_on = [aws_s3_bucket_public_access_block.raw]
}

resource "aws_s3_bucket_policy" "curated" {
  bucket     = aws_s3_bucket.curated.id
  policy     = data.aws_iam_policy_document.tls_only["curated"].json
  depends_on = [aws_s3_bucket_public_access_block.curated]
}

resource "aws_s3_bucket_policy" "athena_results" {
  bucket     = aws_s3_bucket.athena_results.id
  policy     = data.aws_iam_policy_document.tls_only["athena_results"].json
  depends_on = [aws_s3_bucket_public_access_block.athena_results]
}

resource "aws_s3_bucket_policy" "glue_assets" {
  bucket     = aws_s3_bucket.glue_assets.id
  policy     = data.aws_iam_policy_document.tls_only["glue_assets"].json
  depends_on = [aws_s3_bucket_public_access_block.glue_assets]
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket     = aws_s3_bucket.access_logs.id
  policy     = data.aws_iam_policy_document.access_logs.json
  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}
