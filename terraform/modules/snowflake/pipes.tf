# One auto-ingest pipe per table. The COPY selects the Parquet columns by name (Spark
# writes them lower-case) and derives SNAPSHOT_DATE from the partition in the path, which
# METADATA$FILENAME gives relative to the stage (<table>/snapshot_date=YYYY-MM-DD/...).
# One line per statement: Snowflake returns the definition as stored, and a multi-line
# statement would show as a change on every plan.

locals {
  copy_statements = {
    for table, columns in local.columns : table => join(" ", [
      "copy into ${local.database}.${local.landing_schema}.${upper(table)}",
      "(${join(", ", [for c in concat(columns, local.lineage_columns) : c.name])})",
      "from (select",
      join(", ", [
        for c in concat(columns, local.lineage_columns) :
        c.name == "SNAPSHOT_DATE" ? local.snapshot_date_sql : "$1:${lower(c.name)}::${c.type}"
      ]),
      "from @${local.stage_fqn}/${table}/)",
      "file_format = (format_name = '${local.file_format_fqn}')",
    ])
  }
}

resource "snowflake_pipe" "this" {
  for_each = toset(var.tables)

  database       = snowflake_database.this.name
  schema         = snowflake_schema.this[local.landing_schema].name
  name           = "${upper(each.key)}_PIPE"
  comment        = "Loads new Parquet files of curated/${each.key}/ into LANDING.${upper(each.key)}"
  auto_ingest    = true
  copy_statement = local.copy_statements[each.key]

  depends_on = [snowflake_table.this, snowflake_file_format.this]

  lifecycle {
    # Snowflake's advice: recreate a pipe when its stage's cloud parameters change.
    replace_triggered_by = [snowflake_stage.this]
  }
}
