# The lake's buckets. Each bucket is declared on its own (not with for_each): each has its
# own name, its own reasoned checkov skips and its own lifecycle. The settings every bucket
# shares (ownership, public access block, default encryption, access logging, TLS-only
# policy) are one resource each, with for_each over local.buckets, so that a rule is
# written once and a new bucket gets it by being added to the map.

locals {
  # The alarm topic (created by the monitoring module, which needs this key first): its
  # ARN is the encryption context SNS uses with the key.
  alarm_topic_arn = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${var.alarm_topic_name}"

  # Account id and region make the names globally unique without a random suffix, so a
  # redeploy after `terraform destroy` gets the same names (and the docs can name them).
  # <name prefix>-<purpose>-<account id>-<region>: S3 allows 63 characters, and with the
  # longest purpose (7), an account id (12) and the longest region names (14, e.g.
  # ap-southeast-1) the prefix may have 26 (var.name_prefix checks it).
  bucket_suffix = "${local.account_id}-${local.region}"

  # The four buckets of the lake, by the key of their companion resources: encrypted with
  # the lake key and access-logged into the log bucket under <key with hyphens>/.
  lake_buckets = {
    raw            = aws_s3_bucket.raw
    curated        = aws_s3_bucket.curated
    athena_results = aws_s3_bucket.athena_results
    glue_assets    = aws_s3_bucket.glue_assets
  }
  # Every bucket: the lake's and the log bucket (logging.tf), which has the same ownership,
  # public access block and TLS-only statement but is encrypted and logged differently.
  buckets = merge(local.lake_buckets, { access_logs = aws_s3_bucket.access_logs })
}

resource "aws_s3_bucket" "raw" {
  #checkov:skip=CKV_AWS_144:Cross-region replication doubles storage and transfer cost for a hobby-scale lake; versioning plus the lifecycle rules protect the raw snapshots, and replication can be added per environment.
  bucket        = "${var.name_prefix}-raw-${local.bucket_suffix}"
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket" "curated" {
  #checkov:skip=CKV_AWS_144:Curated tables are derived from the raw bucket and can be rebuilt by re-running the Glue job; replication would only add cost.
  #checkov:skip=CKV_AWS_21:Curated tables are derived data rewritten per partition by the Glue job; versions would keep every superseded Parquet file. The raw bucket is versioned and is the source of truth.
  #checkov:skip=CKV2_AWS_62:The only event consumer (Snowpipe) is optional and lives in modules/snowflake, which owns this bucket's single aws_s3_bucket_notification.
  bucket        = "${var.name_prefix}-curated-${local.bucket_suffix}"
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket" "athena_results" {
  #checkov:skip=CKV_AWS_144:Query results are disposable and expire after a few days; replicating them has no value.
  #checkov:skip=CKV_AWS_21:Query results are write-once and expire after a few days; versioning would only delay their deletion.
  #checkov:skip=CKV2_AWS_62:Nothing consumes query-result events.
  bucket        = "${var.name_prefix}-athena-${local.bucket_suffix}"
  force_destroy = var.force_destroy
}

resource "aws_s3_bucket" "glue_assets" {
  #checkov:skip=CKV_AWS_144:The assets (job script, library zip) are build outputs of this repository and are re-uploaded by terraform apply; replication would only add cost.
  #checkov:skip=CKV2_AWS_62:Nothing consumes events of the job script or library uploads.
  bucket        = "${var.name_prefix}-assets-${local.bucket_suffix}"
  force_destroy = var.force_destroy
}

# Bucket owner enforced: ACLs are disabled and every object belongs to this account,
# so access is governed by IAM and bucket policies alone.
resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets

  bucket = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = local.buckets

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# Raw snapshots are the only data that cannot be re-created (Spotify does not serve
# past versions of a playlist), so the raw bucket keeps versions of overwritten or
# deleted objects. The assets bucket is versioned too: rolling back a bad job script
# is then a copy, not a rebuild.
resource "aws_s3_bucket_versioning" "raw" {
  bucket = aws_s3_bucket.raw.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_versioning" "glue_assets" {
  bucket = aws_s3_bucket.glue_assets.id

  versioning_configuration {
    status = "Enabled"
  }
}

# S3 sends the raw bucket's object events to EventBridge, where the glue module's rule keeps
# the new chart files of the drop zone and starts the chart workflow. EventBridge delivery
# is all or nothing per bucket (no prefix filter here), and S3 keeps one notification
# configuration per bucket: this resource is the raw bucket's only one.
resource "aws_s3_bucket_notification" "this" {
  bucket      = aws_s3_bucket.raw.id
  eventbridge = true
}
