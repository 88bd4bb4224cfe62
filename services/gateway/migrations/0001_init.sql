-- The gateway's own tables: the API keys that authenticate callers and the audit log of
-- writes and personal-data reads. Enumerations hold their full proto value names.

CREATE TABLE api_keys (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  prefix            text NOT NULL UNIQUE,   -- the visible part of the key, shown in listings
  secret_hash       text NOT NULL,          -- hash of the secret part; the secret is never stored
  display_name      text NOT NULL CHECK (display_name <> ''),
  role              text NOT NULL
                    CHECK (role IN ('ROLE_ADMIN', 'ROLE_STAFF', 'ROLE_FUNDER', 'ROLE_PARTNER')),
  expire_time       timestamptz,            -- null: never expires
  revoke_time       timestamptz,            -- null: not revoked
  revoke_reason     text NOT NULL DEFAULT '',
  last_use_time     timestamptz,
  creator           text NOT NULL DEFAULT '',
  rate_limit_rps    integer,                -- null: the gateway's default
  rate_limit_burst  integer,
  create_time       timestamptz NOT NULL DEFAULT now(),
  revision          bigint NOT NULL DEFAULT 1
);
CREATE INDEX api_keys_create_time ON api_keys (create_time, id);

CREATE TABLE audit_log (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  time          timestamptz NOT NULL DEFAULT now(),
  key_id        bigint REFERENCES api_keys (id),  -- null when the caller was not authenticated
  role          text,
  grpc_method   text NOT NULL,                    -- "/maillage.directory.v1.DirectoryService/GetActor"
  transport     text NOT NULL,                    -- 'http' or 'grpc'
  http_method   text,
  path          text,
  resource      text,                             -- the resource name the call was about
  request_id    text NOT NULL,
  outcome_code  integer NOT NULL,                 -- google.rpc.Code of the answer
  personal_data boolean NOT NULL DEFAULT false,
  duration_ms   double precision
);
CREATE INDEX audit_log_time ON audit_log (time, id);
CREATE INDEX audit_log_key_time ON audit_log (key_id, time);
