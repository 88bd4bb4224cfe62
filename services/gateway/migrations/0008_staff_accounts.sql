-- The staff console's people: accounts with a password (Argon2id, libsodium's encoded string,
-- never the password), roles as for API keys, and their sessions. A session's cookie holds a
-- random token; only its SHA-256 is kept, so a copy of this table opens no session.
CREATE TABLE staff_accounts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email           text NOT NULL UNIQUE CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$'),
  display_name    text NOT NULL DEFAULT '',
  role            text NOT NULL CHECK (role IN ('ROLE_ADMIN', 'ROLE_STAFF', 'ROLE_FUNDER')),
  funder_id       text NOT NULL DEFAULT ''
                  CHECK (funder_id = '' OR
                         (role = 'ROLE_FUNDER' AND funder_id ~ '^[a-z][a-z0-9-]{0,62}$')),
  password_hash   text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  create_time     timestamptz NOT NULL DEFAULT now(),
  disable_time    timestamptz,
  last_login_time timestamptz
);

CREATE TABLE staff_sessions (
  token_hash     bytea PRIMARY KEY,  -- SHA-256 of the cookie's token
  account_id     bigint NOT NULL REFERENCES staff_accounts (id) ON DELETE CASCADE,
  csrf_token     text NOT NULL,      -- sent back in X-CSRF-Token with every write
  client_address text NOT NULL DEFAULT '',
  create_time    timestamptz NOT NULL DEFAULT now(),
  last_seen_time timestamptz NOT NULL DEFAULT now(),
  expire_time    timestamptz NOT NULL,  -- the absolute end, whatever the activity
  end_time       timestamptz            -- logout, or the account disabled
);
CREATE INDEX staff_sessions_account ON staff_sessions (account_id);
CREATE INDEX staff_sessions_expire ON staff_sessions (expire_time);

-- Who made a call: a key (key_id) or a person of the console (staff_account_id).
ALTER TABLE audit_log ADD COLUMN staff_account_id bigint REFERENCES staff_accounts (id);

-- Logins, failed logins and logouts of the console are audited under their own reason.
ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_reason_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_reason_check
  CHECK (reason IN ('AUDIT_REASON_WRITE', 'AUDIT_REASON_PERSONAL_DATA_READ',
                    'AUDIT_REASON_ACCESS_DENIED', 'AUDIT_REASON_LOGIN'));
