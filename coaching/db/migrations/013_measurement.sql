-- Straight-lined responses (every statement given the same answer) carry no information about how the
-- statements of a scale hang together, so they are left out of every reliability estimate. Whether a
-- response is one never changes once stored; it is kept beside it so the estimate can leave it out
-- without reading every rating.
ALTER TABLE response ADD COLUMN straight_lined BOOLEAN DEFAULT false;
UPDATE response SET straight_lined = coalesce(
    (SELECT count(DISTINCT rr.value) = 1 FROM response_rating rr WHERE rr.response_id = response.id), false);

-- The reading the one-on-one page last showed for a member: the named primary (or the needs that
-- cannot be separated) and the reliable changes, with the number of responses the estimate rested on.
-- When a new estimate changes the reading of the same response, the page says so instead of showing a
-- different label as if nothing had happened.
CREATE TABLE reading_shown (
    member_id   INTEGER PRIMARY KEY,
    response_id INTEGER NOT NULL,
    reading     VARCHAR NOT NULL,
    basis       INTEGER NOT NULL,
    shown_at    TIMESTAMPTZ NOT NULL
);
