-- Sending the questionnaire and gathering answers: when a link was first opened, every e-mail or
-- copied link (so a failed send can be retried for that person only), and half-finished answers.
ALTER TABLE invitation ADD COLUMN opened_at TIMESTAMPTZ;
CREATE INDEX invitation_member ON invitation (member_id);

CREATE SEQUENCE delivery_ids START 1;
CREATE TABLE delivery (
    id             INTEGER PRIMARY KEY DEFAULT nextval('delivery_ids'),
    invitation_id  INTEGER NOT NULL,
    member_id      INTEGER NOT NULL,
    kind           VARCHAR NOT NULL CHECK (kind IN ('invitation', 'reminder')),
    channel        VARCHAR NOT NULL CHECK (channel IN ('email', 'link')),
    sent_at        TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    ok             BOOLEAN NOT NULL,
    error          VARCHAR              -- the mail server's answer when a send failed
);
CREATE INDEX delivery_invitation ON delivery (invitation_id);

-- Answers saved section by section before submitting: one draft per member and round.
CREATE TABLE response_draft (
    member_id   INTEGER NOT NULL,
    round_id    INTEGER NOT NULL,
    answers     VARCHAR NOT NULL,       -- JSON: ratings, top_three, reflections, life_stage so far
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (member_id, round_id)
);
