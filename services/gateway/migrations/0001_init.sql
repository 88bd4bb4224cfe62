-- The gateway's own tables: the API keys that authenticate callers and the audit log of
-- writes and personal-data reads (both filled by the gateway's security work).

CREATE TABLE api_keys (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  prefix         text NOT NULL UNIQUE,    -- the visible part of the key, shown in listings
  secret_hash    text NOT NULL,           -- hash of the secret part; the secret is never stored
  display_name   text NOT NULL,
  role           text NOT NULL CHECK (role IN ('admin', 'staff', 'funder', 'partner')),
  expire_time    timestamptz,             -- null: never expires
  revoke_time    timestamptz,             -- null: not revoked
  last_used_time timestamptz,
  create_time    timestamptz NOT NULL DEFAULT now(),
  revision       bigint NOT NULL DEFAULT 1
);

CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  time          timestamptz NOT NULL DEFAULT now(),
  key_id        uuid REFERENCES api_keys (id),  -- null when the caller was not authenticated
  role          text,
  grpc_method   text NOT NULL,                   -- "/maillage.directory.v1.ActorService/GetActor"
  http_method   text,                            -- null for calls through the gRPC port
  path          text,
  resource      text,                            -- the resource name the call was about
  request_id    text NOT NULL,
  outcome_code  integer NOT NULL,                -- google.rpc.Code of the answer
  personal_data boolean NOT NULL DEFAULT false
);

CREATE INDEX audit_log_time ON audit_log (time);
CREATE INDEX audit_log_key_time ON audit_log (key_id, time);
