# The two Glue jobs, their catalog database and their encryption settings. The star-schema
# job reads s3://<raw>/playlist_snapshots/ and the enrichment's track documents
# s3://<raw>/tracks/ with a job bookmark (only files it has not processed) and writes
# s3://<curated>/curated/<table>/snapshot_date=.../ (data contract section 1,
# docs/glue-job.md); the chart job reads the charts drop zone s3://<raw>/charts/ the same
# way, writes s3://<curated>/curated/<chart table>/chart_date=.../ and leaves the track ids
# it wrote in s3://<raw>/enrichment/todo/charts-<run_id>.txt for the enrichment
# (docs/charts.md). Both run with one role (raw_read_prefixes lists what it may read) and one
# security configuration.

locals {
  # Glue and Athena database names allow lower-case letters, digits and underscores.
  database_name = replace(var.name_prefix, "-", "_")
  # With a security configuration that encrypts CloudWatch Logs, Glue writes the job's logs
  # to /aws-glue/jobs/<security configuration>-role<role path><role name>/output and /error
  # (Glue 5.0: /output for stdout and stderr, /error for the system, Spark and GlueLogger
  # logs) and creates those groups itself, with no retention, if they do not exist. The
  # role keeps the default path "/". Declared here so that they have a retention, the key,
  # and go with `terraform destroy`; no --custom-logGroup-prefix, so that there is one name.
  # Both jobs share the role, so both log to these two groups (one stream per job run).
  job_log_group_prefix = "/aws-glue/jobs/${aws_glue_security_configuration.this.name}-role/${aws_iam_role.job.name}"

  raw_read_prefixes = coalesce(var.raw_read_prefixes, [var.raw_prefix])

  raw_path     = "s3://${var.raw_bucket_name}/${var.raw_prefix}/"
  tracks_path  = "s3://${var.raw_bucket_name}/${var.tracks_prefix}/"
  drop_path    = "s3://${var.raw_bucket_name}/${var.charts_prefix}/"
  curated_path = "s3://${var.curated_bucket_name}/${var.curated_prefix}/"

  # Where the chart job writes its enrichment work lists: the folder "enrichment/todo" next
  # to the drop zone (glue_jobs/charts_pipeline.py ENRICHMENT_TODO, which the code does not
  # take as an argument), the extract Lambda's <ENRICH_PREFIX>/todo/. tools/tf_check holds
  # the role's grants on it to the code.
  work_list_prefix = "${var.enrich_prefix}/todo"

  # The arguments both jobs run with: the curated root they write, Glue's job bookmark, the
  # glue_jobs library, Glue's temporary directory and metrics, and the namespace of the
  # pipeline's own metrics. Each job adds what it reads (local.jobs below).
  common_job_arguments = {
    "--curated_path"                 = local.curated_path
    "--job-bookmark-option"          = "job-bookmark-enable"
    "--extra-py-files"               = "s3://${var.assets_bucket_name}/${aws_s3_object.library.key}"
    "--job-language"                 = "python"
    "--TempDir"                      = "s3://${var.assets_bucket_name}/tmp/"
    "--enable-metrics"               = "true"
    "--enable-observability-metrics" = "true"
    "--metrics_namespace"            = var.metrics_namespace
  }

  # The two jobs, by the source whose tables each writes (glue_jobs/tables.py `source`, the
  # keys of local.crawl_after_job in crawlers.tf): each job's name, script and the arguments
  # it adds to local.common_job_arguments. Everything else (library, security
  # configuration, role, log groups, sizing) they share (aws_glue_job.this below).
  jobs = {
    playlists = {
      name        = "${var.name_prefix}-star-schema"
      description = "Raw playlist snapshots and track documents -> star schema Parquet (glue_jobs/star_schema_job.py)"
      script_key  = "glue/scripts/star_schema_job.py"
      script_path = var.script_path
      # Names fixed by the data contract (section 6); tools/tf_check holds them to it.
      # --bookmark_store glue says outright that Glue's bookmark is used: were the script
      # ever to miss the Glue runtime, "auto" would quietly start an empty local bookmark
      # instead. --tracks_path (optional in the script): the track documents, read under
      # the same bookmark (transformation_ctx raw_track_documents); before the enrichment's
      # first document the prefix does not exist and the job reads the snapshots alone.
      arguments = {
        "--raw_path"       = local.raw_path
        "--tracks_path"    = local.tracks_path
        "--bookmark_store" = "glue"
      }
    }
    # Chart CSVs of the drop zone -> fact_chart_entry and dim_chart. Its arguments are
    # exactly the entry point's REQUIRED_ARGS and the metrics namespace (tools/tf_check
    # compares them with glue_jobs/chart_job.py).
    charts = {
      name        = "${var.name_prefix}-charts"
      description = "Charts drop zone -> fact_chart_entry, dim_chart (glue_jobs/chart_job.py)"
      script_key  = "glue/scripts/chart_job.py"
      script_path = var.chart_script_path
      arguments = {
        "--drop_path" = local.drop_path
      }
    }
  }
}

resource "aws_glue_catalog_database" "this" {
  name        = local.database_name
  description = "Spotify playlist star schema and weekly charts (curated Parquet), kept current by the crawlers"
}

resource "aws_glue_security_configuration" "this" {
  name = "${var.name_prefix}-lake"

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = var.kms_key_arn
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = var.kms_key_arn
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = var.kms_key_arn
    }
  }
}

# source_hash (not etag): the assets bucket encrypts with SSE-KMS, and the ETag of a
# KMS-encrypted object is not the MD5 of its content, so an etag argument would show a
# change on every plan. source_hash is compared with the local file only.
# Each job's script.
resource "aws_s3_object" "script" {
  for_each = local.jobs

  bucket      = var.assets_bucket_name
  key         = each.value.script_key
  source      = each.value.script_path
  source_hash = filemd5(each.value.script_path)
  kms_key_id  = var.kms_key_arn
}

resource "aws_s3_object" "library" {
  bucket      = var.assets_bucket_name
  key         = "glue/libs/glue_jobs.zip"
  source      = var.library_path
  source_hash = filemd5(var.library_path)
  kms_key_id  = var.kms_key_arn
}

# The groups Glue logs the jobs and the crawlers to (local.job_log_group_prefix above,
# local.crawler_log_group in crawlers.tf), each with the retention and the key.
resource "aws_cloudwatch_log_group" "this" {
  for_each = {
    job_error  = "${local.job_log_group_prefix}/error"
    job_output = "${local.job_log_group_prefix}/output"
    crawlers   = local.crawler_log_group
  }

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_glue_job" "this" {
  for_each = local.jobs

  name              = each.value.name
  description       = each.value.description
  role_arn          = aws_iam_role.job.arn
  glue_version      = "5.0"
  worker_type       = var.worker_type
  number_of_workers = var.number_of_workers
  execution_class   = var.execution_class
  timeout           = var.timeout_minutes
  max_retries       = var.max_retries

  security_configuration = aws_glue_security_configuration.this.name

  command {
    name            = "glueetl"
    script_location = "s3://${var.assets_bucket_name}/${aws_s3_object.script[each.key].key}"
    python_version  = "3"
  }

  default_arguments = merge(local.common_job_arguments, each.value.arguments)

  # One run at a time: two runs would read the same bookmark and write the same
  # partitions (a second start fails with ConcurrentRunsExceededException; the chart
  # job's files wait for its next run).
  execution_property {
    max_concurrent_runs = 1
  }

  depends_on = [aws_iam_role_policy.job, aws_cloudwatch_log_group.this]
}
