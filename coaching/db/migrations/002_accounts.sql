-- Accounts: password login for managers and admins.
-- password_hash: an argon2id hash (PHC string); NULL means no password login (single sign-on only).
-- failed_logins and locked_until: the count of failed password logins since the last success, and the
-- moment a lock after too many failures ends. disabled_at: the account may no longer log in at all.
-- E-mails of accounts are stored lower-cased and compared case-insensitively.
ALTER TABLE app_user ADD COLUMN password_hash VARCHAR;
ALTER TABLE app_user ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE app_user ADD COLUMN locked_until TIMESTAMPTZ;
ALTER TABLE app_user ADD COLUMN disabled_at TIMESTAMPTZ;
