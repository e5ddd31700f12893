-- Fencing: a node simulates a character under the epoch it got when it claimed it
-- (CharacterRepository.claim increments it), and its saves only apply while that epoch is
-- still the current one. A node that lost the character can then never overwrite what the
-- newer owner saved.
ALTER TABLE characters ADD COLUMN epoch BIGINT NOT NULL DEFAULT 0;
