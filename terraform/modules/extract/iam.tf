# Least privilege: the function may write under the raw prefix, write track documents
# and its enrichment state, read its work lists and state (and nothing else), read its one
# secret, write its own log group and traces, and send to its dead-letter queue. The S3
# grants are exactly the requests extract_lambda makes (tools/tf_check compares them with
# the function's environment and extract_lambda.enrich.EnrichSettings).

# Who assumes this module's roles (assume_role.tf): the function, and EventBridge
# Scheduler, which sends aws:SourceAccount when it assumes a role (Lambda does not), so its
# trust is limited to this account.
locals {
  trusted_services = {
    lambda    = { service = "lambda.amazonaws.com", source_account = false }
    scheduler = { service = "scheduler.amazonaws.com", source_account = true }
  }
}

resource "aws_iam_role" "lambda" {
  name               = "${local.function_name}-lambda"
  description        = "Execution role of the extract Lambda"
  assume_role_policy = data.aws_iam_policy_document.assume_role["lambda"].json
}

data "aws_iam_policy_document" "lambda" {
  statement {
    sid       = "WriteRawSnapshots"
    actions   = ["s3:PutObject"]
    resources = ["${var.raw_bucket_arn}/${var.raw_prefix}/*"]
  }

  # Enrichment (docs/track-documents.md): one document per track and day, written once
  # (If-None-Match: *), and the queue's state object, written conditionally (If-Match on
  # the ETag read, If-None-Match: * for the first).
  statement {
    sid     = "WriteTrackDocumentsAndEnrichmentState"
    actions = ["s3:PutObject"]
    resources = [
      "${var.raw_bucket_arn}/${var.tracks_prefix}/*",
      "${var.raw_bucket_arn}/${local.enrich_state_key}",
    ]
  }

  # The state is read before every conditional write (its ETag is the If-Match), and the
  # chart job's work lists under todo/ are read once each. The enrichment never deletes.
  statement {
    sid     = "ReadEnrichmentStateAndWorkLists"
    actions = ["s3:GetObject"]
    resources = [
      "${var.raw_bucket_arn}/${local.enrich_state_key}",
      "${var.raw_bucket_arn}/${local.enrich_todo_prefix}*",
    ]
  }

  # Listing: the work lists under todo/, and the track documents when the state has to be
  # rebuilt (first run, or the state was removed). It is also what makes S3 answer 404
  # rather than 403 to the GetObject of a state object that does not exist yet, which the
  # code takes for the first run: S3 decides that with the object's key as s3:prefix, which
  # matches enrichment/* (Ceph's RGW copied this behaviour of S3 in ceph/ceph#68577).
  statement {
    sid       = "ListTrackDocumentsAndEnrichment"
    actions   = ["s3:ListBucket"]
    resources = [var.raw_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.tracks_prefix}/*", "${var.enrich_prefix}/*"]
    }
  }

  statement {
    sid       = "ReadSpotifyCredentials"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.this.arn]
  }

  # The key is usable only through the services the function talks to: S3 (SSE-KMS
  # puts), Secrets Manager (the secret), SQS (dead letters) and Lambda (environment).
  statement {
    sid       = "UseLakeKeyThroughItsServices"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values = [
        "s3.${local.region}.amazonaws.com",
        "secretsmanager.${local.region}.amazonaws.com",
        "sqs.${local.region}.amazonaws.com",
        "lambda.${local.region}.amazonaws.com",
      ]
    }
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  statement {
    sid       = "SendDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.this.arn]
  }

  # X-Ray's write actions support no resource-level permissions.
  statement {
    sid       = "WriteTraces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "lambda" {
  name   = "extract"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.lambda.json
}

resource "aws_iam_role" "scheduler" {
  name               = "${local.function_name}-scheduler"
  description        = "Lets EventBridge Scheduler invoke the extract Lambda (playlists and enrichment)"
  assume_role_policy = data.aws_iam_policy_document.assume_role["scheduler"].json
}

# Where the schedules (schedule.tf) send what they cannot deliver; the role's dead-letter
# grants (scheduler_key.tf) let it send to that queue and encrypt for it.
locals {
  scheduler_dead_letter_queue_arn = aws_sqs_queue.this.arn
}

data "aws_iam_policy_document" "scheduler" {
  override_policy_documents = [data.aws_iam_policy_document.scheduler_key.json]

  statement {
    sid       = "InvokeExtract"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.this.arn, "${aws_lambda_function.this.arn}:*"]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "invoke-extract"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}
