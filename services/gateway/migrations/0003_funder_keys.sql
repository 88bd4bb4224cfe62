-- A funder's key names the funder it speaks for: the funder_id the budget service's actions list
-- it under ("dijon-metropole"). Keys made before this column name none and read no action until
-- they are replaced by keys that do.
ALTER TABLE api_keys
  ADD COLUMN funder_id text NOT NULL DEFAULT ''
             CHECK (funder_id = '' OR
                    (role = 'ROLE_FUNDER' AND funder_id ~ '^[a-z][a-z0-9-]{0,62}$'));
