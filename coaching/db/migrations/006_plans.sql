-- Coaching plans: the history of career goals and one-on-one notes, and a note's agreed actions.
-- Each history table holds every version ever saved (the latest equals the live row), with who saved
-- it and when; it carries member_id so that an erasure finds it like every other member table.

-- The system (demo data, the command line) may agree goals too: it has no account.
ALTER TABLE goal ALTER COLUMN created_by DROP NOT NULL;

-- A note's agreed actions: a JSON list of short texts, e.g. ["Ana books the course"].
ALTER TABLE note ADD COLUMN agreed VARCHAR NOT NULL DEFAULT '[]';

CREATE SEQUENCE goal_history_ids START 1;
CREATE TABLE goal_history (
    id              INTEGER PRIMARY KEY DEFAULT nextval('goal_history_ids'),
    goal_id         INTEGER NOT NULL,
    member_id       INTEGER NOT NULL,
    version         INTEGER NOT NULL,
    event           VARCHAR NOT NULL CHECK (event IN ('added', 'edited', 'reviewed')),
    -- the yearly review's mark: the manager's answer and the day of the review ('reviewed' rows only)
    review_answer   VARCHAR CHECK (review_answer IN ('keep', 'adjust', 'drop')),
    reviewed_on     DATE,
    title           VARCHAR NOT NULL,
    need            VARCHAR NOT NULL,
    option_key      VARCHAR,
    target_date     DATE,
    success_measure VARCHAR,
    status          VARCHAR NOT NULL,
    changed_by      INTEGER,            -- the account that saved it; NULL: the system
    changed_at      TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    UNIQUE (goal_id, version)
);
CREATE INDEX goal_history_member ON goal_history (member_id);

CREATE SEQUENCE note_history_ids START 1;
CREATE TABLE note_history (
    id          INTEGER PRIMARY KEY DEFAULT nextval('note_history_ids'),
    note_id     INTEGER NOT NULL,
    member_id   INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    held_on     DATE NOT NULL,
    body        VARCHAR NOT NULL,
    agreed      VARCHAR NOT NULL,
    written_by  INTEGER,
    written_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    UNIQUE (note_id, version)
);
CREATE INDEX note_history_member ON note_history (member_id);

-- Records written before this migration start their history with their current version.
INSERT INTO goal_history (goal_id, member_id, version, event, title, need, option_key, target_date,
                          success_measure, status, changed_by, changed_at)
SELECT id, member_id, version, 'added', title, need, option_key, target_date, success_measure, status,
       created_by, created_at
FROM goal;

INSERT INTO note_history (note_id, member_id, version, held_on, body, agreed, written_by, written_at)
SELECT id, member_id, version, held_on, body, agreed, author_id, created_at
FROM note;

CREATE INDEX goal_member ON goal (member_id);
CREATE INDEX note_member ON note (member_id);
CREATE INDEX goal_action_goal ON goal_action (goal_id);
