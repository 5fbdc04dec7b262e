"""The local job bookmark: Glue's rule for S3 sources, kept in ``_state/bookmark.json``.

Where ``awsglue`` is not available (plain PySpark, spark-submit here) the job remembers
which raw files it has processed, with their size and modification time. A run reads only
files that are new or whose size or modification time changed, and the bookmark is
committed only after the run's output is published (``pipeline``): a run that fails
commits nothing, so the next run sees the same files again.

On Glue, Glue's own bookmark (``transformation_ctx="raw_playlist_snapshots"``,
``Job.commit()``) plays this role and this module is not used.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from glue_jobs import schemas as S
from glue_jobs.lakefs import FileInfo, LakeFS, join

BOOKMARK_VERSION = 1


class LocalBookmark:
    """Processed raw files, keyed by path, with ``[size, mtime_ms]``."""

    def __init__(self, fs: LakeFS, relative: str = f"{S.STATE_DIR}/{S.BOOKMARK_FILE}") -> None:
        """``relative``: the bookmark file under the curated root (each job has its own)."""
        self._fs = fs
        self.path = join(fs.root, relative)

    def load(self) -> dict[str, tuple[int, int]]:
        text = self._fs.read_text(self.path)
        if text is None:
            return {}
        try:
            state = json.loads(text)
            if state.get("version") != BOOKMARK_VERSION:
                raise ValueError(f"bookmark version {state.get('version')!r} is not supported")
            return {path: (int(v[0]), int(v[1])) for path, v in state["files"].items()}
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            # Never guess: a bookmark we cannot read would silently reprocess or skip data.
            raise ValueError(
                f"unreadable local bookmark {self.path}: {exc}; "
                "delete it (or run with reset_bookmark=True) to reprocess everything"
            ) from exc

    def select_new(self, listing: Iterable[FileInfo]) -> list[FileInfo]:
        """Files never processed, or whose size or modification time changed."""
        seen = self.load()
        return [f for f in listing if seen.get(f.path) != (f.size, f.mtime)]

    def commit(self, files: Sequence[FileInfo]) -> None:
        """Add ``files`` to the bookmark (atomic replace of bookmark.json)."""
        if not files:
            return
        seen = self.load()
        seen.update({f.path: (f.size, f.mtime) for f in files})
        state = {
            "version": BOOKMARK_VERSION,
            "updated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "files": {path: list(v) for path, v in sorted(seen.items())},
        }
        self._fs.write_text(self.path, json.dumps(state, indent=1))

    def reset(self) -> None:
        """Forget every processed file: the next run reads all raw files again."""
        self._fs.delete(self.path)
