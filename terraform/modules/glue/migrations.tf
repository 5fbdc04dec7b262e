# The log groups (job_error, job_output, crawlers), the crawl triggers (start_crawlers,
# crawl_charts), the schedules (this, charts), the jobs (this, charts) and their scripts
# (script, chart_script) were one resource each before they became one for_each resource
# each (issue 21): these blocks move their state, so an existing deployment keeps them (and
# the groups' logs, the jobs' bookmarks and run history) instead of destroying and
# recreating them.

moved {
  from = aws_cloudwatch_log_group.job_error
  to   = aws_cloudwatch_log_group.this["job_error"]
}

moved {
  from = aws_cloudwatch_log_group.job_output
  to   = aws_cloudwatch_log_group.this["job_output"]
}

moved {
  from = aws_cloudwatch_log_group.crawlers
  to   = aws_cloudwatch_log_group.this["crawlers"]
}

moved {
  from = aws_glue_trigger.start_crawlers
  to   = aws_glue_trigger.crawl_after_job["playlists"]
}

moved {
  from = aws_glue_trigger.crawl_charts
  to   = aws_glue_trigger.crawl_after_job["charts"]
}

moved {
  from = aws_scheduler_schedule.this
  to   = aws_scheduler_schedule.this["glue-weekly"]
}

moved {
  from = aws_scheduler_schedule.charts
  to   = aws_scheduler_schedule.this["charts-weekly"]
}

moved {
  from = aws_glue_job.this
  to   = aws_glue_job.this["playlists"]
}

moved {
  from = aws_glue_job.charts
  to   = aws_glue_job.this["charts"]
}

moved {
  from = aws_s3_object.script
  to   = aws_s3_object.script["playlists"]
}

moved {
  from = aws_s3_object.chart_script
  to   = aws_s3_object.script["charts"]
}
