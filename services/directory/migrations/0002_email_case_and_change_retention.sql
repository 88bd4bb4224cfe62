-- E-mail addresses compare without regard to case (ListContacts filter `email`), and the
-- change feed is pruned after a retention period (see change_feed.h).

-- ICU, root locale, strength 2: "Marie.Durand@Example.org" = "marie.durand@example.org".
CREATE COLLATION directory_case_insensitive (provider = icu, locale = 'und-u-ks-level2',
  deterministic = false);

-- One row: the highest sequence removed by pruning (0 before any). A cursor below it has missed
-- changes; new changes are numbered above it even when every row has been pruned.
CREATE TABLE change_feed_state (
  singleton      boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  pruned_through bigint NOT NULL DEFAULT 0
);
INSERT INTO change_feed_state DEFAULT VALUES;

CREATE INDEX changes_commit_time ON changes (commit_time);

-- ImportActors reads the actors that its rows may match by folded display name in one
-- statement (= ANY of the rows' folded names).
CREATE INDEX actors_folded_name ON actors (directory_fold(display_name));
