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

# Its ownership controls and public access block are those of every bucket (main.tf).

# S3 server access logging cannot deliver to a bucket encrypted with SSE-KMS.
resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# One prefix per source bucket: its key with hyphens (raw/, athena-results/...).
resource "aws_s3_bucket_logging" "this" {
  for_each = local.lake_buckets

  bucket        = each.value.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "${replace(each.key, "_", "-")}/"
}
