-- Idempotency records (common/db/idempotency.h) keyed by the caller and the request_id,
-- fingerprinted with SHA-256, naming the resources their response holds so that an erasure can
-- forget them (response NULL), and kept 24 h (a periodic purge, index on create_time).
-- The records written before this migration belong to no caller and hold responses that no
-- erasure could find: they are dropped (a retry across the upgrade is executed anew).
DELETE FROM request_ids;
ALTER TABLE request_ids ADD COLUMN caller text NOT NULL DEFAULT '';
ALTER TABLE request_ids ADD COLUMN resources text[] NOT NULL DEFAULT '{}';
ALTER TABLE request_ids ALTER COLUMN response DROP NOT NULL;
ALTER TABLE request_ids DROP CONSTRAINT request_ids_pkey;
ALTER TABLE request_ids ADD PRIMARY KEY (caller, request_id);
CREATE INDEX request_ids_create_time ON request_ids (create_time);
CREATE INDEX request_ids_resources ON request_ids USING gin (resources);
