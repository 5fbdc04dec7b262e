# The grants every module's EventBridge Scheduler role needs besides its targets: the lake
# key for its schedules' payloads, and its dead letters (sent to the pipeline's queue,
# encrypted with the lake key). Added after the statements of its policy
# (data.aws_iam_policy_document.scheduler, through override_policy_documents: no Sid repeats
# one of them, so both are appended). Written once: modules/glue/scheduler_key.tf is a link
# to this file; each module sets local.scheduler_dead_letter_queue_arn.
data "aws_iam_policy_document" "scheduler_key" {
  # Each schedule's payload is encrypted with the lake key, bound to the encryption context
  # aws:scheduler:schedule:arn = the schedule's ARN; Scheduler decrypts it with this role.
  # The condition keeps the role from decrypting anything else under the key (AWS's
  # Scheduler guide, "Encryption at rest", uses the same key in its policies).
  statement {
    sid       = "DecryptThisSchedulesPayload"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:scheduler:schedule:arn"
      values   = [for schedule in aws_scheduler_schedule.this : schedule.arn]
    }
  }

  # What a schedule cannot deliver goes to the dead-letter queue, which is encrypted: SQS
  # asks KMS for a data key on the sender's behalf, with the queue's ARN as encryption
  # context.
  statement {
    sid       = "SendUndeliveredToDeadLetterQueue"
    actions   = ["sqs:SendMessage"]
    resources = [local.scheduler_dead_letter_queue_arn]
  }

  statement {
    sid       = "EncryptDeadLettersThroughSqs"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["sqs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:sqs:arn"
      values   = [local.scheduler_dead_letter_queue_arn]
    }
  }
}
