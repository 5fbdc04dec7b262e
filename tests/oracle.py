"""The data contract's entry kinds (section 4) in plain Python: the tests' oracle.

Independent of the job's Spark expression (``glue_jobs.transforms.entry_kind``), so that the
tests compare the job with the contract, not with itself.
"""

from __future__ import annotations

from typing import Any

# The kinds that become a fact row; the others are rejections.
FACT_KINDS = frozenset({"track", "episode", "local_file"})
# The fields of a PlaylistTrackObject the contract names (section 2).
ENTRY_FIELDS = ("added_at", "added_by", "is_local", "item", "track")


def entry_kind(entry: Any) -> str:
    """``malformed_entry``, ``null_item``, ``local_file``, ``unsupported_type``,
    ``missing_id``, ``episode`` or ``track``: the first that applies.

    An element of the entry array that is not an object (null, a string, a number, a
    boolean, an array), or an object with none of ``ENTRY_FIELDS`` (all absent or null), is
    ``malformed_entry``. ``item`` is read before ``track``; a payload without ``type`` is a
    track. (Known limit of the job, not of the contract: a JSON *string* whose text is
    itself a JSON object is read by the job as that object.)
    """
    if not isinstance(entry, dict) or all(entry.get(f) is None for f in ENTRY_FIELDS):
        return "malformed_entry"
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
