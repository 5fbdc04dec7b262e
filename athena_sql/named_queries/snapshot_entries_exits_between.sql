-- snapshot_entries_exits_between: the snapshot_entries_exits view for the snapshots of a
-- date range.
-- Parameters, in order: first snapshot_date, last snapshot_date, e.g. '2026-11-01',
-- '2026-11-30'.
select *
from snapshot_entries_exits
where snapshot_date between cast(? as date) and cast(? as date)
