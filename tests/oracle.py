"""The data contract's entry kinds (section 4) in plain Python: the tests' oracle.

Independent of the job's Spark expression (``glue_jobs.transforms.entry_kind``), so that the
tests compare the job with the contract, not with itself.
"""

from __future__ import annotations

# The kinds that become a fact row; the others are rejections.
FACT_KINDS = frozenset({"track", "episode", "local_file"})


def entry_kind(entry: dict) -> str:
    """``null_item``, ``local_file``, ``unsupported_type``, ``missing_id``, ``episode`` or
    ``track``: the first that applies. ``item`` is read before ``track``; a payload without
    ``type`` is a track."""
    payload = entry.get("item") if entry.get("item") is not None else entry.get("track")
    if payload is None:
        return "null_item"
    if entry.get("is_local") or payload.get("is_local"):
        return "local_file"
    if payload.get("type") not in (None, "track", "episode"):
        return "unsupported_type"
    if not payload.get("id"):
        return "missing_id"
    return payload.get("type") or "track"
