-- position_changes_between: the position_changes view for the snapshots of a date range.
-- Parameters, in order: first snapshot_date, last snapshot_date, e.g. '2026-11-01',
-- '2026-11-30'.
select *
from position_changes
where snapshot_date between cast(? as date) and cast(? as date)
