output "database_name" {
  description = "Glue Data Catalog database holding the curated tables (the Athena database)."
  value       = aws_glue_catalog_database.this.name
}

output "job_name" {
  description = "Name of the star-schema Glue job."
  value       = aws_glue_job.this["playlists"].name
}

output "chart_job_name" {
  description = "Name of the chart Glue job."
  value       = aws_glue_job.this["charts"].name
}

output "chart_workflow_name" {
  description = "Glue workflow of the chart job and its crawlers (started by EventBridge events)."
  value       = aws_glue_workflow.charts.name
}

output "chart_rule_names" {
  description = "EventBridge rules that start the chart workflow (new files, weekly run)."
  value       = [aws_cloudwatch_event_rule.chart_files.name, aws_cloudwatch_event_rule.chart_weekly.name]
}

output "chart_run_event" {
  description = "Source and detail-type of the event that starts a chart run (the weekly schedule sends it; so can an operator)."
  value       = local.chart_run_event
}

output "workflow_name" {
  description = "Glue workflow to start for a manual run (`aws glue start-workflow-run --name`), so the crawlers follow the job."
  value       = aws_glue_workflow.this.name
}

output "crawler_names" {
  description = "Crawler name per curated table."
  value       = { for table, crawler in aws_glue_crawler.this : table => crawler.name }
}

output "schedule_name" {
  description = "EventBridge Scheduler schedule that starts the workflow."
  value       = aws_scheduler_schedule.this["glue-weekly"].name
}

output "chart_schedule_name" {
  description = "EventBridge Scheduler schedule that sends the weekly chart-run event."
  value       = aws_scheduler_schedule.this["charts-weekly"].name
}

output "script_s3_uri" {
  description = "S3 location of the uploaded job script."
  value       = "s3://${var.assets_bucket_name}/${aws_s3_object.script["playlists"].key}"
}

output "library_s3_uri" {
  description = "S3 location of the uploaded glue_jobs library zip (--extra-py-files)."
  value       = "s3://${var.assets_bucket_name}/${aws_s3_object.library.key}"
}
