"""Benchmarks: the Glue job against pandas and DuckDB, the extractor against the fake API."""
