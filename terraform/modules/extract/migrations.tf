# The two schedules were one resource each (this, enrich) before they became one for_each
# resource (issue 21): these blocks move their state, so an existing deployment keeps them.
moved {
  from = aws_scheduler_schedule.this
  to   = aws_scheduler_schedule.this["weekly"]
}

moved {
  from = aws_scheduler_schedule.enrich
  to   = aws_scheduler_schedule.this["enrich"]
}
