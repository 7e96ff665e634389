-- Who viewed, exported, changed or erased whose data, and when. Never the data itself: no answers,
-- reflections or notes; `detail` holds only a short fixed label such as the screen's name.
CREATE SEQUENCE audit_ids START 1;
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY DEFAULT nextval('audit_ids'),
    occurred_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    actor_id      INTEGER,              -- NULL: the system itself (CLI, retention purge)
    actor_role    VARCHAR NOT NULL,
    action        VARCHAR NOT NULL,
    subject_kind  VARCHAR NOT NULL,     -- 'member', 'team', 'account', 'organisation'
    subject_id    INTEGER,
    detail        VARCHAR NOT NULL DEFAULT ''
);
CREATE INDEX audit_occurred ON audit_log (occurred_at);
