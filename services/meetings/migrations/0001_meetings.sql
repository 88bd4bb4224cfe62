-- Meetings of the network, their participants (with status history), outputs (documents and
-- proposals with state history), the roadmap items they feed, idempotency records and the
-- cursor of the directory change feed. Enums are stored as their full proto value names.

CREATE TABLE meetings (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title               text NOT NULL,
  kind                text NOT NULL CHECK (kind LIKE 'MEETING_KIND_%'),
  format              text NOT NULL CHECK (format LIKE 'MEETING_FORMAT_%'),
  action              text NOT NULL,
  start_time          timestamptz NOT NULL,
  end_time            timestamptz NOT NULL CHECK (end_time > start_time),
  venue               text NOT NULL DEFAULT '',
  address             text NOT NULL DEFAULT '',
  commune_insee_code  text NOT NULL DEFAULT '',
  online_url          text NOT NULL DEFAULT '',
  capacity            integer NOT NULL DEFAULT 0 CHECK (capacity >= 0),
  agenda              text NOT NULL DEFAULT '',
  state               text NOT NULL CHECK (state IN ('MEETING_STATE_PLANNED', 'MEETING_STATE_HELD',
                                                     'MEETING_STATE_CLOSED',
                                                     'MEETING_STATE_CANCELLED')),
  minutes             text NOT NULL DEFAULT '',
  cancellation_reason text NOT NULL DEFAULT '',
  calendar_uid        text NOT NULL UNIQUE,
  calendar_sequence   integer NOT NULL DEFAULT 0,
  held_time           timestamptz,
  close_time          timestamptz,
  cancel_time         timestamptz,
  create_time         timestamptz NOT NULL DEFAULT now(),
  update_time         timestamptz NOT NULL DEFAULT now(),
  revision            bigint NOT NULL DEFAULT 1
);
CREATE INDEX meetings_action_start ON meetings (action, start_time, id);
CREATE INDEX meetings_start ON meetings (start_time, id);

CREATE SEQUENCE waiting_list_order;

CREATE TABLE participants (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  meeting_id            bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  actor                 text NOT NULL DEFAULT '',
  contact               text NOT NULL DEFAULT '',
  person_display_name   text NOT NULL DEFAULT '',
  person_organization   text NOT NULL DEFAULT '',
  person_email          text NOT NULL DEFAULT '',
  role                  text NOT NULL CHECK (role LIKE 'PARTICIPANT_ROLE_%'),
  status                text NOT NULL CHECK (status LIKE 'PARTICIPANT_STATUS_%'),
  -- Order on the waiting list (from waiting_list_order); NULL when not waiting.
  waiting_order         bigint,
  check_in_time         timestamptz,
  anonymized            boolean NOT NULL DEFAULT false,
  create_time           timestamptz NOT NULL DEFAULT now(),
  update_time           timestamptz NOT NULL DEFAULT now(),
  revision              bigint NOT NULL DEFAULT 1
);
CREATE INDEX participants_meeting ON participants (meeting_id, id);
CREATE INDEX participants_actor ON participants (actor) WHERE actor <> '';
CREATE INDEX participants_contact ON participants (contact) WHERE contact <> '';

CREATE TABLE participant_status_changes (
  participant_id bigint NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
  position       integer NOT NULL,
  status         text NOT NULL,
  change_time    timestamptz NOT NULL DEFAULT now(),
  changed_by     text NOT NULL,
  note           text NOT NULL DEFAULT '',
  PRIMARY KEY (participant_id, position)
);

CREATE TABLE roadmap_items (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  action      text NOT NULL,
  axis        text NOT NULL DEFAULT '',
  title       text NOT NULL,
  description text NOT NULL DEFAULT '',
  state       text NOT NULL CHECK (state LIKE 'ROADMAP_ITEM_STATE_%'),
  progress    integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  -- "meetings/{m}/outputs/{o}" and "meetings/{m}" names, in the order they were added.
  source_proposals text[] NOT NULL DEFAULT '{}',
  source_meetings  text[] NOT NULL DEFAULT '{}',
  create_time timestamptz NOT NULL DEFAULT now(),
  update_time timestamptz NOT NULL DEFAULT now(),
  revision    bigint NOT NULL DEFAULT 1
);
CREATE INDEX roadmap_items_action ON roadmap_items (action, id);

CREATE TABLE outputs (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  meeting_id       bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  content          text NOT NULL CHECK (content IN ('document', 'proposal')),
  document_kind    text NOT NULL DEFAULT '',
  title            text NOT NULL DEFAULT '',
  uri              text NOT NULL DEFAULT '',
  proposal_text    text NOT NULL DEFAULT '',
  proposal_authors text[] NOT NULL DEFAULT '{}',
  proposal_state   text NOT NULL DEFAULT '',
  roadmap_item_id  bigint REFERENCES roadmap_items (id),
  create_time      timestamptz NOT NULL DEFAULT now(),
  update_time      timestamptz NOT NULL DEFAULT now(),
  revision         bigint NOT NULL DEFAULT 1
);
CREATE INDEX outputs_meeting ON outputs (meeting_id, id);

CREATE TABLE proposal_state_changes (
  output_id   bigint NOT NULL REFERENCES outputs (id) ON DELETE CASCADE,
  position    integer NOT NULL,
  state       text NOT NULL,
  change_time timestamptz NOT NULL DEFAULT now(),
  changed_by  text NOT NULL,
  note        text NOT NULL DEFAULT '',
  PRIMARY KEY (output_id, position)
);

CREATE TABLE roadmap_progress (
  roadmap_item_id bigint NOT NULL REFERENCES roadmap_items (id) ON DELETE CASCADE,
  position        integer NOT NULL,
  progress        integer NOT NULL,
  state           text NOT NULL,
  change_time     timestamptz NOT NULL DEFAULT now(),
  changed_by      text NOT NULL,
  note            text NOT NULL DEFAULT '',
  PRIMARY KEY (roadmap_item_id, position)
);

CREATE TABLE request_ids (
  request_id  uuid PRIMARY KEY,
  method      text NOT NULL,
  fingerprint text NOT NULL,
  response    bytea NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now()
);

-- Where the directory change-feed consumer stands (one row).
CREATE TABLE directory_feed (
  id          integer PRIMARY KEY CHECK (id = 1),
  cursor      text NOT NULL DEFAULT '',
  update_time timestamptz NOT NULL DEFAULT now()
);
INSERT INTO directory_feed (id) VALUES (1);
