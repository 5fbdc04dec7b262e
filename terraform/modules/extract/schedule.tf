# A module's EventBridge Scheduler schedules, one per entry of local.schedules (set in the
# module): the schedule <local.schedule_name_prefix>-<key> with its description, expression
# and target (target_arn, input), and where not the default, enabled (true) and the event
# (source, detail_type) a schedule that targets an event bus sends. EventBridge Scheduler
# rather than EventBridge rules or Glue's SCHEDULED triggers (UTC only): it evaluates cron
# expressions in a time zone (schedule_timezone: a weekly run stays at the same local hour
# across daylight saving) and has its own retry policy and dead-letter queue (the pipeline's,
# which the monitoring module alarms on) for starts that never reach their target. Written
# once: modules/glue/schedule.tf is a link to this file.
resource "aws_scheduler_schedule" "this" {
  for_each = local.schedules

  name                         = "${local.schedule_name_prefix}-${each.key}"
  description                  = each.value.description
  schedule_expression          = each.value.expression
  schedule_expression_timezone = var.schedule_timezone
  state                        = lookup(each.value, "enabled", true) ? "ENABLED" : "DISABLED"
  kms_key_arn                  = var.kms_key_arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = each.value.target_arn
    role_arn = aws_iam_role.scheduler.arn
    input    = each.value.input

    dynamic "eventbridge_parameters" {
      for_each = [for event in [lookup(each.value, "event", null)] : event if event != null]

      content {
        source      = eventbridge_parameters.value.source
        detail_type = eventbridge_parameters.value.detail_type
      }
    }

    retry_policy {
      maximum_retry_attempts       = 3
      maximum_event_age_in_seconds = 3600
    }

    dead_letter_config {
      arn = local.scheduler_dead_letter_queue_arn
    }
  }
}
