-- The change outbox (common/api/change_outbox.h): budget submitted and approved, appended in
-- the transaction of the change, read by ListBudgetChanges (the gateway
-- follows it to push webhooks), pruned after MAILLAGE_CHANGE_RETENTION_DAYS.
CREATE TABLE outbox (
  sequence       bigint PRIMARY KEY,
  event_type     text NOT NULL,
  resource_name  text NOT NULL,
  commit_time    timestamptz NOT NULL DEFAULT now(),
  snapshot       bytea
);
CREATE INDEX outbox_commit_time ON outbox (commit_time);

CREATE TABLE outbox_state (pruned_through bigint NOT NULL);
INSERT INTO outbox_state VALUES (0);
