-- Share links (capability URLs, links/share_link_store.h): one read granted to whoever holds
-- the URL. Only the SHA-256 of the token is kept. A link is issued by an API key or by a person
-- of the console (exactly one of the two), and stops opening with its issuer (the lookup joins
-- the key or the account).
CREATE TABLE share_links (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token_hash             bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
  kind                   text NOT NULL CHECK (kind IN ('SHARE_LINK_KIND_ACTION_CALENDAR',
                           'SHARE_LINK_KIND_ACTION_REPORT', 'SHARE_LINK_KIND_DIRECTORY_GEOJSON')),
  action                 text NOT NULL DEFAULT '',
  report_year            integer NOT NULL DEFAULT 0,
  filter                 text NOT NULL DEFAULT '',
  description            text NOT NULL DEFAULT '',
  issuer_key_id          bigint REFERENCES api_keys (id),
  issuer_staff_account_id bigint REFERENCES staff_accounts (id),
  issuer_role            text NOT NULL
                         CHECK (issuer_role IN ('ROLE_ADMIN', 'ROLE_STAFF', 'ROLE_FUNDER',
                                                'ROLE_PARTNER')),
  create_time            timestamptz NOT NULL DEFAULT now(),
  expire_time            timestamptz NOT NULL,
  revoke_time            timestamptz,
  last_use_time          timestamptz,
  use_count              bigint NOT NULL DEFAULT 0,
  CHECK (num_nonnulls(issuer_key_id, issuer_staff_account_id) = 1)
);
CREATE INDEX share_links_issuer_key ON share_links (issuer_key_id, id);
CREATE INDEX share_links_issuer_staff ON share_links (issuer_staff_account_id, id);

-- Every use of a link is audited under its own reason.
ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_reason_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_reason_check
  CHECK (reason IN ('AUDIT_REASON_WRITE', 'AUDIT_REASON_PERSONAL_DATA_READ',
                    'AUDIT_REASON_ACCESS_DENIED', 'AUDIT_REASON_LOGIN',
                    'AUDIT_REASON_SHARE_LINK_USE'));
