-- Webhooks (services/gateway/webhooks): subscriptions, the events read from the services'
-- change feeds, the deliveries waiting for each subscription, and every attempt.

CREATE TABLE webhook_subscriptions (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_key_id    bigint NOT NULL REFERENCES api_keys (id),
  owner_role      text NOT NULL CHECK (owner_role IN ('ROLE_ADMIN', 'ROLE_PARTNER')),
  url             text NOT NULL,
  event_types     text[] NOT NULL,
  description     text NOT NULL DEFAULT '',
  secret          text NOT NULL,          -- needed to sign: kept, shown only at creation
  state           text NOT NULL DEFAULT 'WEBHOOK_SUBSCRIPTION_STATE_ACTIVE',
  disable_reason  text NOT NULL DEFAULT '',
  create_time     timestamptz NOT NULL DEFAULT now(),
  update_time     timestamptz NOT NULL DEFAULT now(),
  revision        bigint NOT NULL DEFAULT 1
);
CREATE INDEX webhook_subscriptions_owner ON webhook_subscriptions (owner_key_id, id);

-- Where the gateway is in each feed, per audience (role): the feed is read with a principal of
-- that role, so each role's events hold exactly what the service gives that role.
CREATE TABLE webhook_feed_cursors (
  source  text NOT NULL,   -- 'directory'
  role    text NOT NULL,   -- 'ROLE_ADMIN', 'ROLE_PARTNER'
  cursor  text NOT NULL DEFAULT '',
  PRIMARY KEY (source, role)
);

CREATE TABLE webhook_events (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- commit order per feed
  source         text NOT NULL,
  role           text NOT NULL,
  sequence       bigint NOT NULL,     -- the feed's own position
  event_type     text NOT NULL,       -- 'actor.updated'
  resource_name  text NOT NULL,
  commit_time    timestamptz NOT NULL,
  receive_time   timestamptz NOT NULL DEFAULT now(),
  payload        text NOT NULL,       -- the JSON body sent, as signed
  UNIQUE (source, role, sequence)
);
CREATE INDEX webhook_events_role_time ON webhook_events (role, commit_time, id);

CREATE TABLE webhook_deliveries (
  subscription_id    bigint NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  event_id           bigint NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  attempts           integer NOT NULL DEFAULT 0,
  first_failure_time timestamptz,
  next_attempt_time  timestamptz NOT NULL DEFAULT now(),
  lease_until        timestamptz,     -- a worker holds it until then
  PRIMARY KEY (subscription_id, event_id)
);

CREATE TABLE webhook_attempts (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subscription_id bigint NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  event_id        bigint NOT NULL,
  event_type      text NOT NULL,
  resource_name   text NOT NULL,
  attempt_number  integer NOT NULL,
  attempt_time    timestamptz NOT NULL,
  duration_ms     double precision NOT NULL,
  http_status     integer NOT NULL,
  delivered       boolean NOT NULL,
  error           text NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_subscription ON webhook_attempts (subscription_id, id);
CREATE INDEX webhook_attempts_time ON webhook_attempts (attempt_time);
