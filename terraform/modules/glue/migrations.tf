# The log groups (job_error, job_output, crawlers), the crawl triggers (start_crawlers,
# crawl_charts) and the schedules (this, charts) were one resource each before they became
# one for_each resource each (issue 21): these blocks move their state, so an existing deployment keeps them (and the groups'
# logs) instead of destroying and recreating them.

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
