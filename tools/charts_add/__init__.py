"""``python -m tools.charts_add FILE... --drop <folder or s3://bucket/prefix>``: the chart drop zone.

Checks each chart file with ``glue_jobs.chart_files`` and stores the good ones, byte for byte,
once, under a key made of the chart's identity, the time it was added and its content hash
(docs/charts.md, "The drop zone"). See ``tools.charts_add.add``.
"""
