"""The Glue job that turns raw Spotify playlist snapshots into the curated star schema.

Modules: ``schemas`` (every StructType and shared name), ``transforms`` (pure
DataFrame -> DataFrame and Column -> Column functions), ``raw_io`` (reading and decoding raw
files), ``planning`` (latest-wins over document metadata), ``lakefs`` (Hadoop FileSystem
bookkeeping), ``bookmarks`` (the local job bookmark), ``publish`` (staging, publish, crash
recovery), ``pipeline`` (the core: ``run_job`` / ``process_files``) and
``star_schema_job`` (the entry point, the only module that imports ``awsglue``).
See docs/glue-job.md.
"""
