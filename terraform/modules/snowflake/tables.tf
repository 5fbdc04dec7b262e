# Landing tables hold the curated Parquet rows as Snowpipe loads them: the columns of each
# table's files in order (var.tables, from terraform/tables.json, which `make generate`
# writes from glue_jobs/tables.py), then three columns the pipe adds:
#   <PARTITION>       the table's Hive partition (SNAPSHOT_DATE, CHART_DATE: var.partitions),
#                     in the file's path rather than in the file
#   SOURCE_FILE_NAME  the Parquet file the row came from (METADATA$FILENAME)
#   LOADED_AT         when the pipe loaded it (METADATA$START_SCAN_TIME)
# Timestamps from the lake are UTC instants, hence TIMESTAMP_TZ. snowflake_sql/05 and 06
# (CORE tables, streams and merges) are generated from the same definitions.

locals {
  # name, type, and the expression of the pipe's SELECT that fills the column. The
  # partition is the 10 characters after "<partition>=" in the path (a date, yyyy-mm-dd).
  load_columns = {
    for table, partition in var.partitions : table => [
      {
        name       = upper(partition.name)
        type       = partition.type
        expression = "to_date(substr(split_part(metadata$filename, '${partition.name}=', 2), 1, 10))"
      },
      { name = "SOURCE_FILE_NAME", type = "VARCHAR", expression = "metadata$filename" },
      { name = "LOADED_AT", type = "TIMESTAMP_LTZ", expression = "metadata$start_scan_time" },
    ]
  }
}

resource "snowflake_table" "this" {
  for_each = var.tables

  database = snowflake_database.this.name
  schema   = snowflake_schema.this[local.landing_schema].name
  name     = upper(each.key)
  comment  = "Snowpipe landing table of curated/${each.key}/"
  # The streams of snowflake_sql/ read the changes of the landing tables.
  change_tracking = true

  dynamic "column" {
    for_each = concat(each.value, local.load_columns[each.key])

    content {
      name = column.value.name
      type = column.value.type
    }
  }
}
