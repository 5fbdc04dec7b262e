# The workgroup enforces its settings: every query's results go to the encrypted
# results bucket, whatever the client asks for, and no query scans more than the cutoff.

resource "aws_athena_workgroup" "this" {
  name          = "${var.name_prefix}-analytics"
  description   = "Queries over the Spotify playlist star schema"
  state         = "ENABLED"
  force_destroy = var.force_destroy

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location = "s3://${var.results_bucket_name}/results/"

      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }
}

# Whatever .sql files the SQL in athena_sql/ holds become named queries, so adding a
# query there and applying is enough. The views are created by running their named
# queries once after the first crawl (docs/deploy.md).
resource "aws_athena_named_query" "this" {
  for_each = fileset(var.sql_dir, "**/*.sql")

  name        = trimsuffix(each.value, ".sql")
  description = "athena_sql/${each.value}"
  workgroup   = aws_athena_workgroup.this.id
  database    = var.database_name
  query       = file("${var.sql_dir}/${each.value}")
}
