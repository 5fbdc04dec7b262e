# The trust policies of a module's roles, one per service in local.trusted_services (set
# in the module's iam.tf): that service may assume the role, and a service that sends
# aws:SourceAccount when it assumes a role may do so only on behalf of this account (the
# confused-deputy guard). Written once: modules/glue/assume_role.tf is a link to this file.
data "aws_iam_policy_document" "assume_role" {
  for_each = local.trusted_services

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = [each.value.service]
    }

    dynamic "condition" {
      for_each = each.value.source_account ? [local.account_id] : []

      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [condition.value]
      }
    }
  }
}
