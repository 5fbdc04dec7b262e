# The curated bucket's one and only event notification (S3 keeps a single notification
# configuration per bucket; a second aws_s3_bucket_notification would silently replace
# this one). Each table prefix notifies its pipe's queue; the suffix filter skips Spark's
# _SUCCESS markers, and the table prefixes keep bookkeeping (_runs, _quarantine,
# _staging) out.
resource "aws_s3_bucket_notification" "this" {
  bucket = var.curated_bucket_name

  dynamic "queue" {
    for_each = snowflake_pipe.this

    content {
      id            = "snowpipe-${queue.key}"
      queue_arn     = queue.value.notification_channel
      events        = ["s3:ObjectCreated:*"]
      filter_prefix = "${var.curated_prefix}/${queue.key}/"
      filter_suffix = ".parquet"
    }
  }
}
