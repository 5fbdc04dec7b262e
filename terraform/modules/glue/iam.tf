# Two roles: the jobs read raw and write curated; the crawlers read curated and write
# the catalog. Neither can do the other's work. The star-schema job and the chart job share
# the job role (and so its log groups): both write the whole curated root anyway, the raw
# prefixes they read are raw_read_prefixes, and the one raw folder written is the chart
# job's enrichment work lists.

# Who assumes this module's roles (assume_role.tf): Glue (the jobs and the crawlers),
# EventBridge Scheduler and EventBridge (the chart rules, charts.tf). The aws:SourceAccount
# condition only where the service documents that it sends the key when it assumes a role:
# Scheduler does, and EventBridge sends aws:SourceAccount (the rule's account) and
# aws:SourceArn (the rule) for the requests it makes for a rule; Glue does not, and a
# condition on a key that is absent denies the role to the jobs and the crawlers. A role
# cannot be passed to another account's Glue anyway (iam:PassRole is same-account).
locals {
  trusted_services = {
    glue      = { service = "glue.amazonaws.com", source_account = false }
    scheduler = { service = "scheduler.amazonaws.com", source_account = true }
    events    = { service = "events.amazonaws.com", source_account = true }
  }
}

# Named after the star-schema job, its first user (a new name would replace the role).
resource "aws_iam_role" "job" {
  name               = "${local.jobs.playlists.name}-job"
  description        = "Execution role of the Glue jobs (star schema, charts)"
  assume_role_policy = data.aws_iam_policy_document.assume_role["glue"].json
}

# Both roles log through Glue, to the groups under /aws-glue/ (main.tf). AssociateKmsKey:
# with an encrypting security configuration Glue creates or associates its log groups with
# the key on the role's behalf.
data "aws_iam_policy_document" "glue_logs" {
  statement {
    sid = "WriteGlueLogs"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "logs:AssociateKmsKey",
    ]
    resources = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws-glue/*"]
  }
}

data "aws_iam_policy_document" "job" {
  source_policy_documents = [data.aws_iam_policy_document.glue_logs.json]

  statement {
    sid       = "ListLakeBuckets"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.raw_bucket_arn, var.curated_bucket_arn, var.assets_bucket_arn]
  }

  # Every raw prefix the job reads, as the curated statement below: on Glue, s3:// goes
  # through EMRFS, which also reads the prefix's own key and its "<prefix>_$folder$" marker.
  statement {
    sid     = "ReadRawSnapshots"
    actions = ["s3:GetObject"]
    resources = flatten([
      for prefix in local.raw_read_prefixes : [
        "${var.raw_bucket_arn}/${prefix}/*",
        "${var.raw_bucket_arn}/${prefix}",
        "${var.raw_bucket_arn}/${prefix}_$folder$",
      ]
    ])
  }

  # The chart job's enrichment work lists, <raw>/enrichment/todo/charts-<run_id>.txt
  # (glue_jobs/charts_pipeline.py, docs/charts.md "The enrichment work list"): one
  # create/close through Hadoop's S3 file system, never a rename, so no delete. It probes the
  # path before creating it (a HEAD, here as in the statements above: the key, the folder's
  # own key and its "_$folder$" marker), and GetObject keeps that probe an ordinary "not
  # found"; PutObject on the folder forms covers EMRFS writing a folder marker, as for the
  # curated root. AbortMultipartUpload: a failed upload leaves no parts. Nothing else in the
  # raw bucket is written by Glue (tools/tf_check: check_glue_raw_access).
  statement {
    sid     = "WriteEnrichmentWorkLists"
    actions = ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"]
    resources = [
      "${var.raw_bucket_arn}/${local.work_list_prefix}/*",
      "${var.raw_bucket_arn}/${local.work_list_prefix}",
      "${var.raw_bucket_arn}/${local.work_list_prefix}_$folder$",
    ]
  }

  # Spark replaces the partitions it rewrites, so the job deletes as well as writes,
  # but only under the curated root. On Glue, s3:// goes through EMRFS, whose mkdirs
  # checks the root's own key and may write a "<root>_$folder$" marker: both are included.
  # AbortMultipartUpload: a failed or killed task abandons its multipart upload; without it
  # the parts stay (and are billed) until the one-day lifecycle rule removes them.
  statement {
    sid     = "WriteCuratedTables"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [
      "${var.curated_bucket_arn}/${var.curated_prefix}/*",
      "${var.curated_bucket_arn}/${var.curated_prefix}",
      "${var.curated_bucket_arn}/${var.curated_prefix}_$folder$",
    ]
  }

  statement {
    sid       = "ReadJobScriptAndLibrary"
    actions   = ["s3:GetObject"]
    resources = ["${var.assets_bucket_arn}/glue/*"]
  }

  statement {
    sid     = "UseTempDir"
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = [
      "${var.assets_bucket_arn}/tmp/*",
      "${var.assets_bucket_arn}/tmp",
      "${var.assets_bucket_arn}/tmp_$folder$",
    ]
  }

  # SSE-KMS reads and writes, plus the client-side encrypted bookmarks, which Glue
  # encrypts with the role's own credentials.
  statement {
    sid       = "UseLakeKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  # PutMetricData supports no resource-level permissions; the namespace condition
  # limits it to Glue's own job metrics and this deployment's run metrics.
  statement {
    sid       = "PublishJobMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Glue", var.metrics_namespace]
    }
  }
}

resource "aws_iam_role_policy" "job" {
  name   = "star-schema-job"
  role   = aws_iam_role.job.id
  policy = data.aws_iam_policy_document.job.json
}

resource "aws_iam_role" "crawler" {
  name               = "${var.name_prefix}-crawler"
  description        = "Role of the curated-table crawlers"
  assume_role_policy = data.aws_iam_policy_document.assume_role["glue"].json
}

data "aws_iam_policy_document" "crawler" {
  source_policy_documents = [data.aws_iam_policy_document.glue_logs.json]

  statement {
    sid       = "ListCuratedBucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.curated_bucket_arn]
  }

  statement {
    sid       = "ReadCuratedTables"
    actions   = ["s3:GetObject"]
    resources = ["${var.curated_bucket_arn}/${var.curated_prefix}/*"]
  }

  statement {
    sid       = "DecryptCuratedObjects"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid = "MaintainCatalogTables"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetTables",
      "glue:CreateTable",
      "glue:UpdateTable",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
      "glue:CreatePartition",
      "glue:BatchCreatePartition",
      "glue:UpdatePartition",
      "glue:BatchUpdatePartition",
    ]
    resources = [
      "arn:${local.partition}:glue:${local.region}:${local.account_id}:catalog",
      aws_glue_catalog_database.this.arn,
      "arn:${local.partition}:glue:${local.region}:${local.account_id}:table/${aws_glue_catalog_database.this.name}/*",
    ]
  }
}

resource "aws_iam_role_policy" "crawler" {
  name   = "curated-crawlers"
  role   = aws_iam_role.crawler.id
  policy = data.aws_iam_policy_document.crawler.json
}

resource "aws_iam_role" "scheduler" {
  name               = "${var.name_prefix}-glue-scheduler"
  description        = "Lets EventBridge Scheduler start the Glue workflow and send the weekly chart-run event"
  assume_role_policy = data.aws_iam_policy_document.assume_role["scheduler"].json
}

# Where the schedules (schedule.tf) send what they cannot deliver; the role's dead-letter
# grants (scheduler_key.tf) let it send to that queue and encrypt for it.
locals {
  scheduler_dead_letter_queue_arn = var.dead_letter_queue_arn
}

data "aws_iam_policy_document" "scheduler" {
  override_policy_documents = [data.aws_iam_policy_document.scheduler_key.json]

  statement {
    sid       = "StartWorkflow"
    actions   = ["glue:StartWorkflowRun"]
    resources = ["arn:${local.partition}:glue:${local.region}:${local.account_id}:workflow/${aws_glue_workflow.this.name}"]
  }

  # The weekly chart run is an event on the account's default bus, which the chart
  # workflow's rule passes on (charts.tf).
  statement {
    sid       = "SendWeeklyChartRunEvent"
    actions   = ["events:PutEvents"]
    resources = [local.default_event_bus_arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "start-glue-workflow"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}
