# One auto-ingest pipe per table, reading its own table's path of the stage
# (@CURATED_STAGE/<table>/): every Parquet column cast to its landing type (Spark writes the
# names lower-case), then the columns the pipe derives from the file's path and metadata
# (the partition column is the table's own: snapshot_date or chart_date). PATTERN skips
# Spark's _SUCCESS markers.
# Names are fully qualified because the provider's session has no current database
# (the SQL scripts `use database` instead). One line per statement: Snowflake returns
# the definition as stored, and a multi-line statement would show as a change on every
# plan.

locals {
  file_pattern = ".*[.]parquet"

  copy_statements = {
    for table, columns in var.tables : table => join(" ", [
      "copy into ${lower(local.database)}.${lower(local.landing_schema)}.${table}",
      "(${join(", ", [for c in concat(columns, local.load_columns[table]) : lower(c.name)])})",
      "from (select",
      join(", ", concat(
        [for c in columns : "$1:${lower(c.name)}::${lower(c.type)}"],
        [for c in local.load_columns[table] : "${c.expression} as ${lower(c.name)}"],
      )),
      "from @${lower(local.database)}.${lower(local.landing_schema)}.${lower(local.stage)}/${table}/)",
      "pattern = '${local.file_pattern}'",
    ])
  }
}

resource "snowflake_pipe" "this" {
  for_each = var.tables

  database       = snowflake_database.this.name
  schema         = snowflake_schema.this[local.landing_schema].name
  name           = "${upper(each.key)}_PIPE"
  comment        = "Loads curated/${each.key}/ into LANDING.${upper(each.key)}"
  auto_ingest    = true
  copy_statement = local.copy_statements[each.key]

  depends_on = [snowflake_table.this, snowflake_stage_external_s3.this]

  lifecycle {
    # Snowflake's advice: recreate a pipe when its stage's cloud parameters change.
    replace_triggered_by = [snowflake_stage_external_s3.this]
  }
}
