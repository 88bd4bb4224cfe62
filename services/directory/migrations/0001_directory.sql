-- The directory's own tables: reference lists, actors, the change feed (transactional outbox)
-- and the idempotency records of request ids.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- unaccent() is only STABLE (it reads its dictionary by name); with the dictionary given as a
-- regdictionary it can be declared IMMUTABLE, as index expressions and generated columns need.
CREATE FUNCTION directory_fold(input text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN lower(public.unaccent('public.unaccent'::regdictionary, input));

-- Reference lists. Rows come from the service's reference data files, synced at start-up, so
-- that another territory is a data change.
CREATE TABLE communes (
  insee_code         text PRIMARY KEY CHECK (insee_code ~ '^[0-9][0-9AB][0-9]{3}$'),
  display_name       text NOT NULL,
  postal_codes       text[] NOT NULL DEFAULT '{}',
  former_insee_codes text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE network_categories (
  code         text PRIMARY KEY,
  display_name text NOT NULL,
  description  text NOT NULL DEFAULT '',
  position     integer NOT NULL
);

CREATE TABLE themes (
  code         text PRIMARY KEY,
  display_name text NOT NULL,
  description  text NOT NULL DEFAULT '',
  position     integer NOT NULL
);

-- Enumerations are stored by their full proto value name (ESS_FAMILY_ASSOCIATION...).
CREATE TABLE actors (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  display_name        text NOT NULL CHECK (display_name <> ''),
  legal_name          text NOT NULL DEFAULT '',
  description         text NOT NULL DEFAULT '',
  kind                text NOT NULL DEFAULT 'ACTOR_KIND_ORGANISATION',
  website             text NOT NULL DEFAULT '',
  email               text NOT NULL DEFAULT '',
  phone               text NOT NULL DEFAULT '',
  address_lines       text[] NOT NULL DEFAULT '{}',
  postal_code         text NOT NULL DEFAULT '',
  city                text NOT NULL DEFAULT '',
  insee_code          text NOT NULL DEFAULT '',
  latitude            double precision,
  longitude           double precision,
  siren               text NOT NULL DEFAULT '',
  siret               text NOT NULL DEFAULT '',
  rna                 text NOT NULL DEFAULT '',
  legal_category_code text NOT NULL DEFAULT '',
  naf_code            text NOT NULL DEFAULT '',
  ess_family          text NOT NULL DEFAULT 'ESS_FAMILY_UNSPECIFIED',
  network_categories  text[] NOT NULL DEFAULT '{}',
  themes              text[] NOT NULL DEFAULT '{}',
  esus_start_date     date,
  esus_end_date       date,
  siae_types          text[] NOT NULL DEFAULT '{}',
  state               text NOT NULL DEFAULT 'ACTOR_STATE_ACTIVE',
  merged_into         bigint REFERENCES actors (id),
  source              text NOT NULL DEFAULT '',
  last_verified_date  date,
  sirene_extract_date date,
  create_time         timestamptz NOT NULL DEFAULT now(),
  update_time         timestamptz NOT NULL DEFAULT now(),
  archive_time        timestamptz,
  revision            bigint NOT NULL DEFAULT 1,
  -- French full text over the names and the description, accents and case folded.
  search_vector       tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('french', directory_fold(display_name)), 'A') ||
    setweight(to_tsvector('french', directory_fold(legal_name)), 'B') ||
    setweight(to_tsvector('french', directory_fold(description)), 'C')) STORED,
  CHECK ((latitude IS NULL) = (longitude IS NULL)),
  CHECK (state IN ('ACTOR_STATE_ACTIVE', 'ACTOR_STATE_ARCHIVED', 'ACTOR_STATE_MERGED')),
  CHECK ((state = 'ACTOR_STATE_MERGED') = (merged_into IS NOT NULL))
);

CREATE UNIQUE INDEX actors_siret_unique ON actors (siret)
  WHERE siret <> '' AND state <> 'ACTOR_STATE_MERGED';
CREATE UNIQUE INDEX actors_rna_unique ON actors (rna)
  WHERE rna <> '' AND state <> 'ACTOR_STATE_MERGED';
CREATE INDEX actors_siren ON actors (siren) WHERE siren <> '';
CREATE INDEX actors_display_name ON actors ((display_name COLLATE "fr-FR-x-icu"), id);
CREATE INDEX actors_update_time ON actors (update_time, id);
CREATE INDEX actors_create_time ON actors (create_time, id);
CREATE INDEX actors_insee_code ON actors (insee_code);
CREATE INDEX actors_network_categories ON actors USING gin (network_categories);
CREATE INDEX actors_themes ON actors USING gin (themes);
CREATE INDEX actors_search ON actors USING gin (search_vector);
CREATE INDEX actors_folded_name_trgm ON actors USING gin (directory_fold(display_name) gin_trgm_ops);
CREATE INDEX actors_merged_into ON actors (merged_into) WHERE merged_into IS NOT NULL;

-- People attached to an actor (personal data).
CREATE TABLE contacts (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor_id              bigint NOT NULL REFERENCES actors (id),
  given_name            text NOT NULL DEFAULT '',
  family_name           text NOT NULL DEFAULT '',
  job_title             text NOT NULL DEFAULT '',
  email                 text NOT NULL DEFAULT '',
  phone                 text NOT NULL DEFAULT '',
  elected_official      boolean NOT NULL DEFAULT false,
  legal_basis           text NOT NULL,
  consent_grant_time    timestamptz,
  consent_withdraw_time timestamptz,
  consent_purpose       text NOT NULL DEFAULT '',
  consent_evidence      text NOT NULL DEFAULT '',
  source                text NOT NULL DEFAULT '',
  retain_until          date,
  create_time           timestamptz NOT NULL DEFAULT now(),
  update_time           timestamptz NOT NULL DEFAULT now(),
  revision              bigint NOT NULL DEFAULT 1,
  CHECK (given_name <> '' OR family_name <> '')
);
CREATE INDEX contacts_actor ON contacts (actor_id, id);
CREATE INDEX contacts_email ON contacts (lower(email)) WHERE email <> '';

-- Links between actors, stored under the actor they start from.
CREATE TABLE relationships (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor_id       bigint NOT NULL REFERENCES actors (id),
  type           text NOT NULL,
  other_actor_id bigint NOT NULL REFERENCES actors (id),
  start_date     date,
  end_date       date,
  description    text NOT NULL DEFAULT '',
  create_time    timestamptz NOT NULL DEFAULT now(),
  update_time    timestamptz NOT NULL DEFAULT now(),
  revision       bigint NOT NULL DEFAULT 1,
  CHECK (actor_id <> other_actor_id),
  CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX relationships_actor ON relationships (actor_id, id);
CREATE INDEX relationships_other_actor ON relationships (other_actor_id, id);

-- One line per erasure of a person (GDPR): no personal data, only what was done and why.
CREATE TABLE erasures (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  contact_name    text NOT NULL,
  reason          text NOT NULL,
  change_sequence bigint NOT NULL,
  erase_time      timestamptz NOT NULL DEFAULT now()
);

-- The change feed: one row per committed change, numbered in commit order (writers take a
-- transaction-level advisory lock before numbering, held until their commit).
CREATE TABLE changes (
  sequence      bigint PRIMARY KEY,
  kind          text NOT NULL,
  resource_type text NOT NULL,
  resource_name text NOT NULL,
  merged_into   text NOT NULL DEFAULT '',
  commit_time   timestamptz NOT NULL DEFAULT now(),
  -- The resource right after the change (a serialized Actor, Contact or Relationship), NULL
  -- for DELETED and ERASED changes and for snapshots removed by an erasure.
  snapshot      bytea
);
CREATE INDEX changes_resource ON changes (resource_name, sequence);

CREATE TABLE request_ids (
  request_id  uuid PRIMARY KEY,
  method      text NOT NULL,
  fingerprint text NOT NULL,
  response    bytea NOT NULL,
  create_time timestamptz NOT NULL DEFAULT now()
);
