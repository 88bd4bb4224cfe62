-- The budget service's tables: the chart of accounts (synced from the embedded reference file
-- at start-up), actions, budgets in versions, their lines, grants, and the idempotency records
-- of request ids. Enumerations are stored by their full proto value name. Money is bigint cents.

CREATE TABLE accounts (
  code          text PRIMARY KEY CHECK (code ~ '^[0-9]{2,6}$'),
  label         text NOT NULL,
  side          text NOT NULL CHECK (side IN ('SIDE_CHARGE', 'SIDE_INCOME')),
  account_class integer NOT NULL,
  chapter       text NOT NULL,
  is_chapter    boolean NOT NULL,
  label_hints   text[] NOT NULL DEFAULT '{}',
  chart         text NOT NULL
);

-- The repeated parts of an action (objectives, years, funders, in-kind resources) are kept as
-- one serialized maillage.budget.v1.Action in `details`; the funder keys and kinds are copied
-- into arrays for the list filters.
CREATE TABLE actions (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  action_key   text NOT NULL UNIQUE CHECK (action_key ~ '^[a-z][a-z0-9-]{0,62}$'),
  code         text NOT NULL UNIQUE CHECK (code <> ''),
  title        text NOT NULL CHECK (title <> ''),
  start_year   integer NOT NULL,
  end_year     integer NOT NULL CHECK (end_year >= start_year),
  state        text NOT NULL CHECK (state IN ('ACTION_STATE_ACTIVE', 'ACTION_STATE_ARCHIVED')),
  lead_actor   text NOT NULL DEFAULT '',
  funder_ids   text[] NOT NULL DEFAULT '{}',
  funder_kinds text[] NOT NULL DEFAULT '{}',
  details      bytea NOT NULL,
  revision     bigint NOT NULL DEFAULT 1,
  create_time  timestamptz NOT NULL DEFAULT now(),
  update_time  timestamptz NOT NULL DEFAULT now()
);

-- Totals are recomputed from the lines in the transaction of every line write, under a row
-- lock on the budget, so that they always match the lines.
CREATE TABLE budgets (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  action_id               bigint NOT NULL REFERENCES actions (id),
  year                    integer NOT NULL,
  kind                    text NOT NULL
                            CHECK (kind IN ('BUDGET_KIND_FORECAST', 'BUDGET_KIND_ACTUAL')),
  version                 integer NOT NULL CHECK (version > 0),
  state                   text NOT NULL CHECK (state IN ('BUDGET_STATE_DRAFT',
                            'BUDGET_STATE_SUBMITTED', 'BUDGET_STATE_APPROVED')),
  title                   text NOT NULL DEFAULT '',
  note                    text NOT NULL DEFAULT '',
  stated_charges_cents    bigint,
  stated_income_cents     bigint,
  origin                  text NOT NULL,
  source_document         text NOT NULL DEFAULT '',
  table_title             text NOT NULL DEFAULT '',
  import_time             timestamptz,
  revised_from            bigint REFERENCES budgets (id),
  approval_note           text NOT NULL DEFAULT '',
  charges_cents           bigint NOT NULL DEFAULT 0,
  income_cents            bigint NOT NULL DEFAULT 0,
  contributions_used_cents     bigint NOT NULL DEFAULT 0,
  contributions_received_cents bigint NOT NULL DEFAULT 0,
  subsidies_cents         bigint NOT NULL DEFAULT 0,
  line_count              integer NOT NULL DEFAULT 0,
  revision                bigint NOT NULL DEFAULT 1,
  create_time             timestamptz NOT NULL DEFAULT now(),
  update_time             timestamptz NOT NULL DEFAULT now(),
  submit_time             timestamptz,
  approve_time            timestamptz,
  UNIQUE (action_id, year, kind, version)
);
-- At most one draft per (action, year, kind).
CREATE UNIQUE INDEX budgets_one_draft ON budgets (action_id, year, kind)
  WHERE state = 'BUDGET_STATE_DRAFT';

CREATE TABLE budget_lines (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  budget_id     bigint NOT NULL REFERENCES budgets (id) ON DELETE CASCADE,
  side          text NOT NULL CHECK (side IN ('SIDE_CHARGE', 'SIDE_INCOME')),
  account_code  text NOT NULL DEFAULT '',
  label         text NOT NULL,
  amount_cents  bigint CHECK (amount_cents BETWEEN -1000000000000000 AND 1000000000000000),
  is_chapter    boolean NOT NULL DEFAULT false,
  chapter_line  bigint REFERENCES budget_lines (id) ON DELETE CASCADE,
  funder_id     text NOT NULL DEFAULT '',
  note          text NOT NULL DEFAULT '',
  position      integer NOT NULL,
  source_row    integer NOT NULL DEFAULT 0,
  source_text   text NOT NULL DEFAULT '',
  lineage       text NOT NULL,
  revision      bigint NOT NULL DEFAULT 1,
  create_time   timestamptz NOT NULL DEFAULT now(),
  update_time   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX budget_lines_by_budget ON budget_lines (budget_id, side, position, id);
CREATE INDEX budget_lines_by_chapter ON budget_lines (chapter_line);

-- Instalments are kept as one serialized maillage.budget.v1.Grant holding only them.
CREATE TABLE grants (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  action_id              bigint NOT NULL REFERENCES actions (id),
  funder_id              text NOT NULL,
  year                   integer NOT NULL,
  reference              text NOT NULL DEFAULT '',
  budget                 text NOT NULL DEFAULT '',
  state                  text NOT NULL CHECK (state IN ('GRANT_STATE_REQUESTED',
                           'GRANT_STATE_NOTIFIED', 'GRANT_STATE_PAID', 'GRANT_STATE_JUSTIFIED')),
  requested_amount_cents bigint NOT NULL DEFAULT 0,
  request_date           date,
  notified_amount_cents  bigint,
  notify_date            date,
  instalments            bytea NOT NULL DEFAULT '',
  paid_amount_cents      bigint NOT NULL DEFAULT 0,
  justification_due_date date,
  justify_date           date,
  note                   text NOT NULL DEFAULT '',
  revision               bigint NOT NULL DEFAULT 1,
  create_time            timestamptz NOT NULL DEFAULT now(),
  update_time            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX grants_by_action ON grants (action_id, year);

CREATE TABLE request_ids (
  request_id  uuid PRIMARY KEY,
  method      text NOT NULL,
  fingerprint text NOT NULL,
  response    bytea NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now()
);
