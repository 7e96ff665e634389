-- Development paths. A level can say what it asks of a person (a JSON list of plain sentences), and
-- each ladder names the rung a person not yet on it starts from.
ALTER TABLE path_option ADD COLUMN expectations VARCHAR DEFAULT '[]';
ALTER TABLE path_option ADD COLUMN entry_rung BOOLEAN DEFAULT false;
UPDATE path_option SET expectations = '[]', entry_rung = false;

-- An agreed route: one to three steps from where the member stood, each saved as a goal. A newer
-- route replaces the older one (replaced_at); the older one's goals stay goals.
CREATE SEQUENCE route_ids START 1;
CREATE TABLE route (
    id          INTEGER PRIMARY KEY DEFAULT nextval('route_ids'),
    member_id   INTEGER NOT NULL,
    start_track VARCHAR,
    start_level VARCHAR,
    agreed_by   INTEGER,
    agreed_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    replaced_at TIMESTAMPTZ
);
CREATE INDEX route_member ON route (member_id);

CREATE TABLE route_step (
    route_id    INTEGER NOT NULL,
    position    SMALLINT NOT NULL,
    kind        VARCHAR NOT NULL CHECK (kind IN ('up', 'across', 'entry', 'alongside')),
    option_key  VARCHAR NOT NULL,
    target_date DATE NOT NULL,
    goal_id     INTEGER NOT NULL,
    PRIMARY KEY (route_id, position)
);
