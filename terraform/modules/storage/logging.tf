# S3 server access logs of the four lake buckets land in one log bucket, one prefix per
# source bucket.

resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_18:This is the access-log bucket itself; logging it into itself would log its own log deliveries without end.
  #checkov:skip=CKV_AWS_144:Access logs are kept for a limited time for troubleshooting and audits in this region; replicating them only adds cost.
  #checkov:skip=CKV_AWS_145:S3 server access logging cannot deliver to a bucket whose default encryption is SSE-KMS; SSE-S3 (AES256) is the only supported option.
  #checkov:skip=CKV_AWS_21:Log objects are written once by the S3 logging service and expire by lifecycle; versions would only delay that.
  #checkov:skip=CKV2_AWS_62:Nothing consumes access-log events.
  bucket        = "${var.name_prefix}-logs-${local.bucket_suffix}"
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_logging" "raw" {
  bucket        = aws_s3_bucket.raw.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "raw/"
}

resource "aws_s3_bucket_logging" "curated" {
  bucket        = aws_s3_bucket.curated.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "curated/"
}

resource "aws_s3_bucket_logging" "athena_results" {
  bucket        = aws_s3_bucket.athena_results.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "athena-results/"
}

resource "aws_s3_bucket_logging" "glue_assets" {
  bucket        = aws_s3_bucket.glue_assets.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "glue-assets/"
}
