# One customer-managed key for the lake: S3 objects, CloudWatch log groups, the
# dead-letter queue, the alarm topic, the Spotify secret, Glue's security configuration
# and the schedules. One key keeps the key policy (the part IAM cannot express) in one
# place; who may use it is decided by each role's IAM policy.

resource "aws_kms_key" "this" {
  description             = "${var.name_prefix} lake: S3, logs, queues, topics, secrets, Glue"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name_prefix}-lake"
  target_key_id = aws_kms_key.this.key_id
}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only; account administration of the key is the documented default statement that lets IAM policies grant its use.
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" means this key only; write access is granted to principals by their IAM policies, scoped to this key's ARN.
  #checkov:skip=CKV_AWS_356:A key policy cannot name its own key ARN before the key exists; in a key policy Resource "*" refers to this key alone.
  statement {
    sid       = "AccountAdministersTheKeyThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  # CloudWatch Logs encrypts log groups with the key itself (not with the caller's
  # credentials), so the service needs the key policy grant, limited to this account's
  # log groups through the encryption context.
  statement {
    sid = "CloudWatchLogsEncryptsThisAccountsLogGroups"
    actions = [
      "kms:Encrypt*",
      "kms:Decrypt*",
      "kms:ReEncrypt*",
      "kms:GenerateDataKey*",
      "kms:Describe*",
    ]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }

  # CloudWatch alarms and EventBridge rules publish to the encrypted alarm topic as
  # services; SNS then needs them to be able to use the topic's key. SNS encrypts with the
  # topic's ARN as encryption context, so both grants are limited to the alarm topic.
  # Alarms also carry aws:SourceAccount and aws:SourceArn (this deployment's alarms, all
  # named <name_prefix>-...); EventBridge's KMS request to an encrypted topic does not carry
  # them, so its grant is limited by the encryption context alone (a condition on an absent
  # key would silently drop every failure notification).
  statement {
    sid       = "ThisDeploymentsAlarmsPublishToTheAlarmTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:aws:sns:topicArn"
      values   = [local.alarm_topic_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${var.name_prefix}-*"]
    }
  }

  statement {
    sid       = "EventRulesPublishToTheAlarmTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:aws:sns:topicArn"
      values   = [local.alarm_topic_arn]
    }
  }
}

# Bucket keys cut KMS requests (and their cost) by letting S3 reuse a data key per
# bucket for a while instead of calling KMS for every object.
resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.lake_buckets

  bucket = each.value.id

  rule {
    bucket_key_enabled = true

    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
  }
}
