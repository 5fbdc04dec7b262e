# The log groups were one resource each (job_error, job_output, crawlers) before they became
# one for_each resource (issue 21): these blocks move their state, so an existing deployment
# keeps them (and their logs) instead of destroying and recreating them.

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
