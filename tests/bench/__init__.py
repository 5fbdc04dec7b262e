"""Smoke test of the benchmark (tools/bench)."""
