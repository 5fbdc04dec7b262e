# Landing tables hold the curated Parquet rows as Snowpipe loads them: the columns of
# docs/data-contract.md section 3 in contract order, upper-case, plus SNAPSHOT_DATE, which
# is the Hive partition in the file's path (not a column in the file) and is parsed from
# METADATA$FILENAME by the pipe. tools/tf_check compares these columns with the contract.

locals {
  lineage_columns = [
    { name = "EXTRACTED_AT", type = "TIMESTAMP_NTZ(6)" },
    { name = "SOURCE_FILE", type = "VARCHAR" },
    { name = "SNAPSHOT_DATE", type = "DATE" },
  ]

  columns = {
    fact_playlist_item = [
      { name = "PLAYLIST_ID", type = "VARCHAR" },
      { name = "SNAPSHOT_ID", type = "VARCHAR" },
      { name = "POSITION", type = "NUMBER(10,0)" },
      { name = "ITEM_TYPE", type = "VARCHAR" },
      { name = "TRACK_ID", type = "VARCHAR" },
      { name = "EPISODE_ID", type = "VARCHAR" },
      { name = "ALBUM_ID", type = "VARCHAR" },
      { name = "ITEM_URI", type = "VARCHAR" },
      { name = "ITEM_NAME", type = "VARCHAR" },
      { name = "ADDED_AT", type = "TIMESTAMP_NTZ(6)" },
      { name = "ADDED_BY_ID", type = "VARCHAR" },
      { name = "POPULARITY", type = "NUMBER(10,0)" },
      { name = "DURATION_MS", type = "NUMBER(19,0)" },
      { name = "IS_LOCAL", type = "BOOLEAN" },
    ]
    dim_track = [
      { name = "TRACK_ID", type = "VARCHAR" },
      { name = "TRACK_NAME", type = "VARCHAR" },
      { name = "TRACK_URI", type = "VARCHAR" },
      { name = "ALBUM_ID", type = "VARCHAR" },
      { name = "DURATION_MS", type = "NUMBER(19,0)" },
      { name = "EXPLICIT", type = "BOOLEAN" },
      { name = "DISC_NUMBER", type = "NUMBER(10,0)" },
      { name = "TRACK_NUMBER", type = "NUMBER(10,0)" },
      { name = "ISRC", type = "VARCHAR" },
      { name = "POPULARITY", type = "NUMBER(10,0)" },
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
      { name = "RELEASE_YEAR", type = "NUMBER(10,0)" },
      { name = "TOTAL_TRACKS", type = "NUMBER(10,0)" },
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
      { name = "FOLLOWERS_TOTAL", type = "NUMBER(19,0)" },
      { name = "TOTAL_ITEMS", type = "NUMBER(10,0)" },
      { name = "API_SHAPE", type = "VARCHAR" },
    ]
    bridge_track_artist = [
      { name = "TRACK_ID", type = "VARCHAR" },
      { name = "ARTIST_ID", type = "VARCHAR" },
      { name = "ARTIST_POSITION", type = "NUMBER(10,0)" },
    ]
    bridge_album_artist = [
      { name = "ALBUM_ID", type = "VARCHAR" },
      { name = "ARTIST_ID", type = "VARCHAR" },
      { name = "ARTIST_POSITION", type = "NUMBER(10,0)" },
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
    for_each = concat(local.columns[each.key], local.lineage_columns)

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
