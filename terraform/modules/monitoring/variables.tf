variable "name_prefix" {
  type        = string
  description = "Prefix of resource names (project-environment)."
}

variable "kms_key_arn" {
  type        = string
  description = "ARN of the lake's KMS key; the alarm topic is encrypted with it."
}

variable "alarm_email_addresses" {
  type        = list(string)
  description = "Addresses subscribed to the alarm topic (each must confirm the subscription e-mail)."
}

variable "lambda_function_name" {
  type        = string
  description = "Extract Lambda whose errors raise an alarm."
}

variable "lambda_log_group_name" {
  type        = string
  description = "Log group of the extract Lambda (JSON log format); its ERROR lines raise an alarm."
}

variable "dead_letter_queue_name" {
  type        = string
  description = "Dead-letter queue whose messages raise an alarm."
}

variable "glue_job_name" {
  type        = string
  description = "The star-schema Glue job: its failed, timed-out or stopped runs, quarantined files, data-quality failures and missing successful runs raise alarms."
}

variable "chart_job_name" {
  type        = string
  description = "The chart Glue job: its failed, timed-out or stopped runs and quarantined files raise alarms."
}

variable "chart_rule_names" {
  type        = list(string)
  description = "EventBridge rules that start the chart workflow; a failed delivery to the workflow raises an alarm."
}

variable "crawler_names" {
  type        = list(string)
  description = "Glue crawlers whose failures are reported."
}

variable "alarm_topic_name" {
  type        = string
  description = "Name of the SNS topic every alarm and failure event goes to (the lake key's policy names it)."
}

variable "lambda_service_name" {
  type        = string
  description = "The extractor's POWERTOOLS_SERVICE_NAME: the service dimension of its metrics."
}

variable "enrich_backlog_days" {
  type        = number
  description = "Days in a row every enrichment run may end with track ids still pending before the backlog alarm fires (1-7: CloudWatch evaluates at most seven daily datapoints)."
}
