-- Languages. A member may have a preferred language for the questionnaire and e-mails (NULL: the
-- browser's); every response and draft records the language it was answered in (NULL for responses
-- stored before languages existed: they were answered in English).
ALTER TABLE member ADD COLUMN language VARCHAR;
ALTER TABLE response ADD COLUMN language VARCHAR;
ALTER TABLE response_draft ADD COLUMN language VARCHAR;

-- The translations of each questionnaire version as first used, beside the version's own text
-- (instrument.source), which they never touch: same item ids, same scale, only the words differ.
CREATE TABLE instrument_translation (
    version     INTEGER NOT NULL,
    language    VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,   -- the TOML text as loaded
    loaded_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (version, language)
);
