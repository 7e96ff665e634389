-- Failed logins are counted per e-mail typed, in the database, before the password is checked: one
-- attempt reserves its place in the count atomically, so parallel tries cannot all pass an unlocked
-- row, and an e-mail without an account is counted exactly like one with. `key` is an HMAC of the
-- lower-cased e-mail (never the e-mail itself: people type passwords into the e-mail field), keyed
-- with a random secret kept in app_meta ('login_key').
CREATE TABLE login_throttle (
    key             VARCHAR PRIMARY KEY,
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ
);
-- The count moved to login_throttle.
ALTER TABLE app_user DROP COLUMN failed_logins;
ALTER TABLE app_user DROP COLUMN locked_until;

-- A login, kept across browser reloads for a working day. The browser holds a random token in an
-- HttpOnly cookie; only its SHA-256 is stored (token_hash). The token is handed over once, through a
-- one-time code (handoff_hash, valid until handoff_until) that the logged-in page sends back.
-- Log out and deactivating the account delete the row, which ends the login everywhere.
CREATE SEQUENCE account_session_ids START 1;
CREATE TABLE account_session (
    id              INTEGER PRIMARY KEY DEFAULT nextval('account_session_ids'),
    user_id         INTEGER NOT NULL,
    token_hash      VARCHAR,
    handoff_hash    VARCHAR,
    handoff_until   TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL
);
