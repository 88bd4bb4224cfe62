-- Erasures follow the person: a contact's history sits under every name it had (MergeActors
-- moves it from actors/A/contacts/N to actors/B/contacts/N); ErasePerson and ExportPersonData
-- find those names through the MERGED changes, both ways.
CREATE INDEX changes_merged_into ON changes (merged_into) WHERE merged_into <> '';

-- The erasure journal also records what else forgot a person: a DeleteContact, the end of the
-- contact's retention period (retain_until), an erasure replayed after a restore. It holds no
-- personal data; `names` are every name the contact had, `contact_name` the last one.
ALTER TABLE erasures
  ADD COLUMN cause text NOT NULL DEFAULT 'ERASE_PERSON'
    CHECK (cause IN ('ERASE_PERSON', 'DELETE_CONTACT', 'RETENTION_EXPIRED', 'RESTORE_REPLAY')),
  ADD COLUMN names text[] NOT NULL DEFAULT '{}';
UPDATE erasures SET names = ARRAY[contact_name];
CREATE INDEX erasures_names ON erasures USING gin (names);
