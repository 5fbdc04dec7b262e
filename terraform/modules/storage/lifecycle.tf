# Every bucket aborts failed multipart uploads: their parts are billed like objects but
# are invisible in listings, so without the rule they would cost money forever.

locals {
  # The raw bucket's immutable data, by the id of its rule: it ages into
  # raw_transition_storage_class, and a replaced or deleted object keeps its old version for
  # as many days as an overwritten snapshot. The playlist snapshots; the chart files of the
  # drop zone (people add them once, the chart job reads each once; a re-read after a
  # bookmark reset is rare); the track documents (the enrichment's, docs/track-documents.md).
  aging_raw_prefixes = {
    "age-raw-snapshots"   = var.raw_prefix
    "age-chart-files"     = var.charts_prefix
    "age-track-documents" = var.tracks_prefix
  }

  # The buckets whose objects all expire after a number of days: their rule's id and days.
  expiring_buckets = {
    athena_results = {
      bucket = aws_s3_bucket.athena_results
      rule   = "expire-query-results"
      days   = var.athena_results_expiration_days
    }
    access_logs = {
      bucket = aws_s3_bucket.access_logs
      rule   = "expire-access-logs"
      days   = var.access_log_expiration_days
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "raw" {
  bucket = aws_s3_bucket.raw.id

  # Transitions skip objects under 128 KB (S3's default minimum since 2024): small
  # snapshots would cost more in a cheaper class, which bills at least 128 KB each (most
  # track documents are far under 128 KB, so S3 leaves them in STANDARD: the rule costs
  # nothing for them).
  dynamic "rule" {
    for_each = local.aging_raw_prefixes

    content {
      id     = rule.key
      status = "Enabled"

      filter {
        prefix = "${rule.value}/"
      }

      transition {
        days          = var.raw_transition_days
        storage_class = var.raw_transition_storage_class
      }

      noncurrent_version_expiration {
        noncurrent_days = var.raw_noncurrent_version_expiration_days
      }
    }
  }

  # The enrichment's state object is rewritten at every checkpoint of every run; versioning
  # keeps each older state as a non-current version (a way back after a bad run), removed
  # after the same number of days as an overwritten snapshot. It is read by every run, so
  # it never transitions; nor do the small work lists next to it.
  rule {
    id     = "expire-old-enrichment-states"
    status = "Enabled"

    filter {
      prefix = "${var.enrich_prefix}/"
    }

    noncurrent_version_expiration {
      noncurrent_days = var.raw_noncurrent_version_expiration_days
    }
  }

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.raw]
}

resource "aws_s3_bucket_lifecycle_configuration" "curated" {
  bucket = aws_s3_bucket.curated.id

  # A run that dies between staging and publishing leaves its staging directory behind;
  # the next run publishes it (rolls forward) or, if the staging has lost files since,
  # discards it and processes its raw files again (glue_jobs/publish.py). What is still
  # there after a week was left by a run nothing recovered: it expires.
  rule {
    id     = "expire-abandoned-staging"
    status = "Enabled"

    filter {
      prefix = "${var.curated_prefix}/_staging/"
    }

    expiration {
      days = 7
    }
  }

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "glue_assets" {
  bucket = aws_s3_bucket.glue_assets.id

  rule {
    id     = "expire-glue-temporary-files"
    status = "Enabled"

    filter {
      prefix = "tmp/"
    }

    expiration {
      days = var.glue_temp_expiration_days
    }
  }

  rule {
    id     = "expire-old-asset-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = 30
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.glue_assets]
}

# The Athena query results and the access logs: everything expires after its days.
resource "aws_s3_bucket_lifecycle_configuration" "expiring" {
  for_each = local.expiring_buckets

  bucket = each.value.bucket.id

  rule {
    id     = each.value.rule
    status = "Enabled"

    filter {}

    expiration {
      days = each.value.days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}
