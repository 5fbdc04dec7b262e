# Every bucket refuses requests that do not use TLS, whoever makes them. An explicit
# Deny in the bucket policy wins over any Allow an IAM policy might grant later.

data "aws_iam_policy_document" "raw" {
  statement {
    sid       = "DenyRequestsWithoutTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.raw.arn, "${aws_s3_bucket.raw.arn}/*"]

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

data "aws_iam_policy_document" "curated" {
  statement {
    sid       = "DenyRequestsWithoutTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.curated.arn, "${aws_s3_bucket.curated.arn}/*"]

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

data "aws_iam_policy_document" "athena_results" {
  statement {
    sid       = "DenyRequestsWithoutTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.athena_results.arn, "${aws_s3_bucket.athena_results.arn}/*"]

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

data "aws_iam_policy_document" "glue_assets" {
  statement {
    sid       = "DenyRequestsWithoutTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.glue_assets.arn, "${aws_s3_bucket.glue_assets.arn}/*"]

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

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "DenyRequestsWithoutTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.access_logs.arn, "${aws_s3_bucket.access_logs.arn}/*"]

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
  policy     = data.aws_iam_policy_document.raw.json
  depends_on = [aws_s3_bucket_public_access_block.raw]
}

resource "aws_s3_bucket_policy" "curated" {
  bucket     = aws_s3_bucket.curated.id
  policy     = data.aws_iam_policy_document.curated.json
  depends_on = [aws_s3_bucket_public_access_block.curated]
}

resource "aws_s3_bucket_policy" "athena_results" {
  bucket     = aws_s3_bucket.athena_results.id
  policy     = data.aws_iam_policy_document.athena_results.json
  depends_on = [aws_s3_bucket_public_access_block.athena_results]
}

resource "aws_s3_bucket_policy" "glue_assets" {
  bucket     = aws_s3_bucket.glue_assets.id
  policy     = data.aws_iam_policy_document.glue_assets.json
  depends_on = [aws_s3_bucket_public_access_block.glue_assets]
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket     = aws_s3_bucket.access_logs.id
  policy     = data.aws_iam_policy_document.access_logs.json
  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}
