output "workgroup_name" {
  description = "Athena workgroup to run the queries in (`aws athena start-query-execution --work-group`)."
  value       = aws_athena_workgroup.this.name
}

output "named_query_ids" {
  description = "Named query id per athena_sql/ file name (without .sql)."
  value       = { for file, query in aws_athena_named_query.this : query.name => query.id }
}
