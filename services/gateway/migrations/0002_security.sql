-- Authentication and audit: idempotent key creation, and what the audit lines need to be read
-- without joins (the key's prefix at the time, why the line was written, the HTTP answer).

-- common/db/idempotency.h; the stored responses never hold a key's secret.
CREATE TABLE request_ids (
  request_id  uuid PRIMARY KEY,
  method      text NOT NULL,
  fingerprint text NOT NULL,
  response    bytea NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE audit_log
  ADD COLUMN key_prefix   text,
  ADD COLUMN reason       text NOT NULL DEFAULT 'AUDIT_REASON_WRITE'
             CHECK (reason IN ('AUDIT_REASON_WRITE', 'AUDIT_REASON_PERSONAL_DATA_READ',
                               'AUDIT_REASON_ACCESS_DENIED')),
  ADD COLUMN http_status  integer;
CREATE INDEX audit_log_request_id ON audit_log (request_id);
