# The companion resources of the buckets were one resource per bucket (aws_s3_bucket_policy.raw)
# before they became one for_each resource per setting (issue 21): these blocks move their
# state, so an existing deployment keeps them instead of destroying and recreating them.

moved {
  from = aws_s3_bucket_ownership_controls.raw
  to   = aws_s3_bucket_ownership_controls.this["raw"]
}

moved {
  from = aws_s3_bucket_ownership_controls.curated
  to   = aws_s3_bucket_ownership_controls.this["curated"]
}

moved {
  from = aws_s3_bucket_ownership_controls.athena_results
  to   = aws_s3_bucket_ownership_controls.this["athena_results"]
}

moved {
  from = aws_s3_bucket_ownership_controls.glue_assets
  to   = aws_s3_bucket_ownership_controls.this["glue_assets"]
}

moved {
  from = aws_s3_bucket_ownership_controls.access_logs
  to   = aws_s3_bucket_ownership_controls.this["access_logs"]
}

moved {
  from = aws_s3_bucket_public_access_block.raw
  to   = aws_s3_bucket_public_access_block.this["raw"]
}

moved {
  from = aws_s3_bucket_public_access_block.curated
  to   = aws_s3_bucket_public_access_block.this["curated"]
}

moved {
  from = aws_s3_bucket_public_access_block.athena_results
  to   = aws_s3_bucket_public_access_block.this["athena_results"]
}

moved {
  from = aws_s3_bucket_public_access_block.glue_assets
  to   = aws_s3_bucket_public_access_block.this["glue_assets"]
}

moved {
  from = aws_s3_bucket_public_access_block.access_logs
  to   = aws_s3_bucket_public_access_block.this["access_logs"]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.raw
  to   = aws_s3_bucket_server_side_encryption_configuration.this["raw"]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.curated
  to   = aws_s3_bucket_server_side_encryption_configuration.this["curated"]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.athena_results
  to   = aws_s3_bucket_server_side_encryption_configuration.this["athena_results"]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.glue_assets
  to   = aws_s3_bucket_server_side_encryption_configuration.this["glue_assets"]
}

moved {
  from = aws_s3_bucket_logging.raw
  to   = aws_s3_bucket_logging.this["raw"]
}

moved {
  from = aws_s3_bucket_logging.curated
  to   = aws_s3_bucket_logging.this["curated"]
}

moved {
  from = aws_s3_bucket_logging.athena_results
  to   = aws_s3_bucket_logging.this["athena_results"]
}

moved {
  from = aws_s3_bucket_logging.glue_assets
  to   = aws_s3_bucket_logging.this["glue_assets"]
}

moved {
  from = aws_s3_bucket_policy.raw
  to   = aws_s3_bucket_policy.this["raw"]
}

moved {
  from = aws_s3_bucket_policy.curated
  to   = aws_s3_bucket_policy.this["curated"]
}

moved {
  from = aws_s3_bucket_policy.athena_results
  to   = aws_s3_bucket_policy.this["athena_results"]
}

moved {
  from = aws_s3_bucket_policy.glue_assets
  to   = aws_s3_bucket_policy.this["glue_assets"]
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.athena_results
  to   = aws_s3_bucket_lifecycle_configuration.expiring["athena_results"]
}

moved {
  from = aws_s3_bucket_lifecycle_configuration.access_logs
  to   = aws_s3_bucket_lifecycle_configuration.expiring["access_logs"]
}
