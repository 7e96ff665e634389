-- Speed at scale. Every screen looks up the teams of the logged-in manager.
CREATE INDEX team_manager ON team (manager_id);

-- A replaced submission names the one that replaced it. Besides telling the history, this lets a
-- reliability estimate be updated with only what changed since it was made: the responses that
-- stopped being current are exactly those replaced by a newer one.
ALTER TABLE response ADD COLUMN replaced_by INTEGER;
UPDATE response SET replaced_by = (
    SELECT min(later.id) FROM response later
    WHERE later.member_id = response.member_id AND later.wave_id = response.wave_id AND later.id > response.id
) WHERE NOT is_current;
