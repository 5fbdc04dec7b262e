"""The offline demo: fake Spotify API -> extractor -> Glue job -> DuckDB -> HTML report.

``make demo`` runs ``python -m tools.demo --dir build/demo`` (see docs/demo.md). Modules:
``runner`` (the orchestration), ``progress`` (the progress lines), ``report`` and
``charts`` (the self-contained HTML report).
"""
