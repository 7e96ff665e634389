-- Retention: what is kept when raw answers older than the retention period are purged.
-- Per wave and scale, the organisation-wide mean of the purged current responses and how many there
-- were, written only when that many reach the group-size rule (COACHING_MIN_GROUP at purge time).
-- Never a minimum, a maximum or anything else about one person. `purged_before` is the cut-off of the
-- purge that made the row; a wave purged in two steps has two rows per scale, over disjoint groups.
CREATE SEQUENCE aggregate_snapshot_ids START 1;
CREATE TABLE aggregate_snapshot (
    id            INTEGER PRIMARY KEY DEFAULT nextval('aggregate_snapshot_ids'),
    wave_id       INTEGER NOT NULL,
    scale         VARCHAR NOT NULL,
    n             INTEGER NOT NULL,
    mean          DOUBLE PRECISION NOT NULL,
    purged_before TIMESTAMPTZ NOT NULL,
    made_at       TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
