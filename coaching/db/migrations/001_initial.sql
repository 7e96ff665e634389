-- Aspire schema, first version. Portable SQL where it costs nothing (a PostgreSQL store comes later).
-- Records people edit carry `version`: an update names the version it read, so a concurrent edit is
-- detected instead of silently overwritten. Foreign keys are checked by the store, not declared:
-- DuckDB forbids updating a row that a foreign key points to, which editable records need.

-- Facts about the database itself, e.g. whether it holds the demo organisation.
CREATE TABLE app_meta (
    key         VARCHAR PRIMARY KEY,
    value       VARCHAR NOT NULL
);

CREATE SEQUENCE app_user_ids START 1;
CREATE TABLE app_user (
    id          INTEGER PRIMARY KEY DEFAULT nextval('app_user_ids'),
    email       VARCHAR NOT NULL UNIQUE,
    name        VARCHAR NOT NULL,
    role        VARCHAR NOT NULL CHECK (role IN ('manager', 'admin')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE instrument (
    version     INTEGER PRIMARY KEY,
    title       VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,   -- the TOML text as loaded, so old responses stay explainable
    loaded_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE wave_ids START 1;
CREATE TABLE wave (
    id          INTEGER PRIMARY KEY DEFAULT nextval('wave_ids'),
    name        VARCHAR NOT NULL UNIQUE,
    starts_on   DATE NOT NULL
);

CREATE SEQUENCE team_ids START 1;
CREATE TABLE team (
    id          INTEGER PRIMARY KEY DEFAULT nextval('team_ids'),
    name        VARCHAR NOT NULL,
    manager_id  INTEGER NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    archived_at TIMESTAMPTZ,
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE SEQUENCE member_ids START 1;
CREATE TABLE member (
    id          INTEGER PRIMARY KEY DEFAULT nextval('member_ids'),
    team_id     INTEGER NOT NULL,
    name        VARCHAR NOT NULL,
    email       VARCHAR NOT NULL,
    role_title  VARCHAR,
    track       VARCHAR,            -- 'management' | 'expert' | NULL when not known
    level       VARCHAR,            -- a level key of that track in the catalogue
    created_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    archived_at TIMESTAMPTZ,
    version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX member_team ON member (team_id);
CREATE INDEX member_email ON member (email);

-- Flexible or self-directed options a member already uses.
CREATE TABLE member_option (
    member_id   INTEGER NOT NULL,
    option_key  VARCHAR NOT NULL,
    PRIMARY KEY (member_id, option_key)
);

CREATE SEQUENCE round_ids START 1;
CREATE TABLE round (
    id                  INTEGER PRIMARY KEY DEFAULT nextval('round_ids'),
    wave_id             INTEGER NOT NULL,
    team_id             INTEGER NOT NULL,
    instrument_version  INTEGER NOT NULL,
    deadline            TIMESTAMPTZ NOT NULL,     -- UTC
    message             VARCHAR,
    created_by          INTEGER NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    closed_at           TIMESTAMPTZ,
    version             INTEGER NOT NULL DEFAULT 1
);

CREATE SEQUENCE invitation_ids START 1;
CREATE TABLE invitation (
    id          INTEGER PRIMARY KEY DEFAULT nextval('invitation_ids'),
    round_id    INTEGER NOT NULL,
    member_id   INTEGER NOT NULL,
    token_hash  VARCHAR NOT NULL UNIQUE,    -- SHA-256 of the link token; the token itself is never stored
    created_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    revoked_at  TIMESTAMPTZ,
    declined_at TIMESTAMPTZ
);
CREATE INDEX invitation_round ON invitation (round_id);

-- One row per submission; the latest submitted per (member, wave) is the current one.
CREATE SEQUENCE response_ids START 1;
CREATE TABLE response (
    id                  INTEGER PRIMARY KEY DEFAULT nextval('response_ids'),
    member_id           INTEGER NOT NULL,
    wave_id             INTEGER NOT NULL,
    round_id            INTEGER,
    instrument_version  INTEGER NOT NULL,
    submitted_at        TIMESTAMPTZ NOT NULL,
    life_stage          VARCHAR,
    is_current          BOOLEAN NOT NULL
);
CREATE INDEX response_member ON response (member_id);
CREATE INDEX response_wave ON response (wave_id);

CREATE TABLE response_rating (
    response_id INTEGER NOT NULL,
    item_id     VARCHAR NOT NULL,
    value       SMALLINT NOT NULL,
    PRIMARY KEY (response_id, item_id)
);

CREATE TABLE response_choice (
    response_id INTEGER NOT NULL,
    rank        SMALLINT NOT NULL CHECK (rank BETWEEN 1 AND 3),
    need        VARCHAR NOT NULL,
    PRIMARY KEY (response_id, rank)
);

CREATE TABLE response_reflection (
    response_id   INTEGER NOT NULL,
    reflection_id VARCHAR NOT NULL,
    text          VARCHAR NOT NULL,
    PRIMARY KEY (response_id, reflection_id)
);

-- Scale scores (0-100) as computed on submission; deterministic from the answers.
CREATE TABLE response_score (
    response_id INTEGER NOT NULL,
    scale       VARCHAR NOT NULL,
    score       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (response_id, scale)
);

-- The growth-path catalogue. Rows are never updated in place: an edit closes the old row
-- (valid_to) and inserts the new one, so an old wave can be shown against the catalogue of its time.
CREATE SEQUENCE path_option_ids START 1;
CREATE TABLE path_option (
    id                INTEGER PRIMARY KEY DEFAULT nextval('path_option_ids'),
    key               VARCHAR NOT NULL,
    kind              VARCHAR NOT NULL CHECK (kind IN ('management', 'expert', 'pay', 'flexible', 'self_directed')),
    name              VARCHAR NOT NULL,
    rank              SMALLINT,          -- order of levels on a track
    scope             VARCHAR,
    why               VARCHAR NOT NULL,
    openings          INTEGER,
    support_status    DOUBLE PRECISION NOT NULL,
    support_security  DOUBLE PRECISION NOT NULL,
    support_expertise DOUBLE PRECISION NOT NULL,
    support_autonomy  DOUBLE PRECISION NOT NULL,
    support_balance   DOUBLE PRECISION NOT NULL,
    band_min          DECIMAL(12, 2),
    band_mid          DECIMAL(12, 2),
    band_max          DECIMAL(12, 2),
    currency          VARCHAR,
    valid_from        TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    valid_to          TIMESTAMPTZ,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX path_option_key ON path_option (key);

-- Coaching records: career goals (dated steps that serve a need), their actions, one-on-one notes.
CREATE SEQUENCE goal_ids START 1;
CREATE TABLE goal (
    id              INTEGER PRIMARY KEY DEFAULT nextval('goal_ids'),
    member_id       INTEGER NOT NULL,
    title           VARCHAR NOT NULL,
    need            VARCHAR NOT NULL,
    option_key      VARCHAR,
    target_date     DATE,
    success_measure VARCHAR,
    status          VARCHAR NOT NULL DEFAULT 'planned'
                    CHECK (status IN ('planned', 'in_progress', 'reached', 'dropped')),
    created_by      INTEGER NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    version         INTEGER NOT NULL DEFAULT 1
);

CREATE SEQUENCE goal_action_ids START 1;
CREATE TABLE goal_action (
    id          INTEGER PRIMARY KEY DEFAULT nextval('goal_action_ids'),
    goal_id     INTEGER NOT NULL,
    what        VARCHAR NOT NULL,
    who         VARCHAR,
    due_on      DATE,
    done        BOOLEAN NOT NULL DEFAULT false,
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE SEQUENCE note_ids START 1;
CREATE TABLE note (
    id          INTEGER PRIMARY KEY DEFAULT nextval('note_ids'),
    member_id   INTEGER NOT NULL,
    author_id   INTEGER NOT NULL,
    held_on     DATE NOT NULL,
    body        VARCHAR NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    version     INTEGER NOT NULL DEFAULT 1
);
