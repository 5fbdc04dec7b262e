# Landing tables hold the curated Parquet rows as Snowpipe loads them: the columns of
# docs/data-contract.md section 3 in contract order, then three columns the pipe adds
# (the same as snowflake_sql/03_landing_tables.sql, which tools/tf_check compares):
#   SNAPSHOT_DATE     the Hive partition, in the file's path rather than in the file
#   SOURCE_FILE_NAME  the Parquet file the row came from (METADATA$FILENAME)
#   LOADED_AT         when the pipe loaded it (METADATA$START_SCAN_TIME)
# Timestamps from the lake are UTC instants, hence TIMESTAMP_TZ.

locals {
  # name, type, and the expression of the pipe's SELECT that fills the column.
  load_columns = [
    { name = "SNAPSHOT_DATE", type = "DATE", expression = "to_date(substr(split_part(metadata$filename, 'snapshot_date=', 2), 1, 10))" },
    { name = "SOURCE_FILE_NAME", type = "VARCHAR", expression = "metadata$filename" },
    { name = "LOADED_AT", type = "TIMESTAMP_LTZ", expression = "metadata$start_scan_time" },
  ]

  lineage_columns = [
    { name = "EXTRACTED_AT", type = "TIMESTAMP_TZ" },
    { name = "SOURCE_FILE", type = "VARCHAR" },
  ]

  columns = {
    fact_playlist_item = [
      { name = "PLAYLIST_ID", type = "VARCHAR" },
      { name = "SNAPSHOT_ID", type = "VARCHAR" },
      { name = "POSITION", type = "INTEGER" },
      { name = "ITEM_TYPE", type = "VARCHAR" },
      { name = "TRACK_ID", type = "VARCHAR" },
      { name = "EPISODE_ID", type = "VARCHAR" },
      { name = "ALBUM_ID", type = "VARCHAR" },
      { name = "ITEM_URI", type = "VARCHAR" },
      { name = "ITEM_NAME", type = "VARCHAR" },
      { name = "ADDED_AT", type = "TIMESTAMP_TZ" },
      { name = "ADDED_BY_ID", type = "VARCHAR" },
      { name = "POPULARITY", type = "INTEGER" },
      { name = "DURATION_MS", type = "BIGINT" },
      { name = "IS_LOCAL", type = "BOOLEAN" },
    ]
    dim_track = [
      { name = "TRACK_ID", type = "VARCHAR" },
      { name = "TRACK_NAME", type = "VARCHAR" },
      { name = "TRACK_URI", type = "VARCHAR" },
      { name = "ALBUM_ID", type = "VARCHAR" },
      { name = "DURATION_MS", type = "BIGINT" },
      { name = "EXPLICIT", type = "BOOLEAN" },
      { name = "DISC_NUMBER", type = "INTEGER" },
      { name = "TRACK_NUMBER", type = "INTEGER" },
      { name = "ISRC", type = "VARCHAR" },
      { name = "POPULARITY", type = "INTEGER" },
      { name = "LINKED_FROM_TRACK_ID", type = "VARCHAR" },
    ]
    dim_album = [
      { name = "ALBUM_ID", type = "VARCHAR" },
      { name = "ALBUM_NAME", type = "VARCHAR" },
      { name = "ALBUM_URI", type = "VARCHAR" },
      { name = "ALBUM_TYPE", type = "VARCHAR" },
      { name = "RELEASE_DATE", type = "DATE" },
      { name = "RELEASE_DATE_PRECISION", type = "VARCHAR" },
      { name = "RELEASE_DATE_RAW", type = "VARCHAR" },
      { name = "RELEASE_YEAR", type = "INTEGER" },
      { name = "TOTAL_TRACKS", type = "INTEGER" },
    ]
    dim_artist = [
      { name = "ARTIST_ID", type = "VARCHAR" },
      { name = "ARTIST_NAME", type = "VARCHAR" },
      { name = "ARTIST_URI", type = "VARCHAR" },
    ]
    dim_playlist = [
      { name = "PLAYLIST_ID", type = "VARCHAR" },
      { name = "PLAYLIST_NAME", type = "VARCHAR" },
      { name = "DESCRIPTION", type = "VARCHAR" },
      { name = "OWNER_ID", type = "VARCHAR" },
      { name = "OWNER_DISPLAY_NAME", type = "VARCHAR" },
      { name = "IS_PUBLIC", type = "BOOLEAN" },
      { name = "IS_COLLABORATIVE", type = "BOOLEAN" },
      { name = "SNAPSHOT_ID", type = "VARCHAR" },
      { name = "FOLLOWERS_TOTAL", type = "BIGINT" },
      { name = "TOTAL_ITEMS", type = "INTEGER" },
      { name = "API_SHAPE", type = "VARCHAR" },
    ]
    bridge_track_artist = [
      { name = "TRACK_ID", type = "VARCHAR" },
      { name = "ARTIST_ID", type = "VARCHAR" },
      { name = "ARTIST_POSITION", type = "INTEGER" },
    ]
    bridge_album_artist = [
      { name = "ALBUM_ID", type = "VARCHAR" },
      { name = "ARTIST_ID", type = "VARCHAR" },
      { name = "ARTIST_POSITION", type = "INTEGER" },
    ]
  }
}

resource "snowflake_table" "this" {
  for_each = toset(var.tables)

  database = snowflake_database.this.name
  schema   = snowflake_schema.this[local.landing_schema].name
  name     = upper(each.key)
  comment  = "Snowpipe landing table of curated/${each.key}/"
  # The streams of snowflake_sql/ read the changes of the landing tables.
  change_tracking = true

  dynamic "column" {
    for_each = concat(local.columns[each.key], local.lineage_columns, local.load_columns)

    content {
      name = column.value.name
      type = column.value.type
    }
  }

  lifecycle {
    precondition {
      condition     = contains(keys(local.columns), each.key)
      error_message = "Table ${each.key} has no landing columns in modules/snowflake/tables.tf."
    }
  }
}
