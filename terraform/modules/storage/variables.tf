variable "name_prefix" {
  type        = string
  description = "Prefix of every bucket name (project-environment); the account id and region are appended so names are globally unique."

  validation {
    condition     = length(var.name_prefix) <= 26
    error_message = "name_prefix may have at most 26 characters: bucket names (<prefix>-<purpose>-<account id>-<region>) must fit S3's 63."
  }
}

variable "raw_prefix" {
  type        = string
  description = "Key prefix of the raw snapshots in the raw bucket (data contract: playlist_snapshots)."
}

variable "charts_prefix" {
  type        = string
  description = "Key prefix of the charts drop zone in the raw bucket (charts): chart CSVs people download and upload."
}

variable "tracks_prefix" {
  type        = string
  description = "Key prefix of the track documents the enrichment lands in the raw bucket (tracks, docs/track-documents.md)."
}

variable "enrich_prefix" {
  type        = string
  description = "Key prefix of the enrichment's state object and work lists in the raw bucket (enrichment, docs/track-documents.md)."
}

variable "curated_prefix" {
  type        = string
  description = "Key prefix of the curated root in the curated bucket (data contract: curated)."
}

variable "raw_transition_days" {
  type        = number
  description = "Age in days after which raw snapshots move to raw_transition_storage_class."
}

variable "raw_transition_storage_class" {
  type        = string
  description = "Cheaper storage class for aged raw snapshots."
}

variable "raw_noncurrent_version_expiration_days" {
  type        = number
  description = "Days after which a non-current version of a raw object (an overwritten or deleted snapshot) is removed."
}

variable "athena_results_expiration_days" {
  type        = number
  description = "Days after which Athena query results are deleted."
}

variable "glue_temp_expiration_days" {
  type        = number
  description = "Days after which Glue's temporary files under tmp/ in the assets bucket are deleted."
}

variable "access_log_expiration_days" {
  type        = number
  description = "Days after which S3 server access logs are deleted."
}

variable "force_destroy" {
  type        = bool
  description = "Let terraform destroy delete non-empty buckets. Keep false outside throw-away environments."
}

variable "alarm_topic_name" {
  type        = string
  description = "Name of the SNS alarm topic encrypted with the lake key; the key lets alarms and event rules use it for that topic only."
}
