-- SearchActors without ranking every match (see actor_search.h): actors whose display name
-- holds every word come first, then the others, each group in name order, so that a page is
-- read from an index and the search stops once it is full. Typos are corrected word by word
-- against the words the actors use, so the search is full text only.

-- The display name's words alone (search_vector mixes them with the legal name and the
-- description): the planner's statistics on it tell a word common in names from one common
-- only in descriptions.
ALTER TABLE actors ADD COLUMN name_vector tsvector GENERATED ALWAYS AS (
  to_tsvector('french', directory_fold(display_name))) STORED;
CREATE INDEX actors_name_search ON actors USING gin (name_vector);
-- Its statistics now: the plans of SearchActors depend on them (autovacuum does not count a
-- table rewrite as changes).
ANALYZE actors;

-- Every lexeme of every actor's search_vector, ever: the vocabulary a query's words are
-- corrected against. Lexemes of actors since changed or deleted stay; they only widen a
-- corrected word to a lexeme that matches nothing.
CREATE TABLE search_words (
  word text PRIMARY KEY
);
CREATE INDEX search_words_trgm ON search_words USING gist (word gist_trgm_ops);
INSERT INTO search_words
  SELECT DISTINCT w FROM actors, unnest(tsvector_to_array(search_vector)) w ORDER BY 1;

-- Once per statement (an import inserts thousands of rows in one); the words in one order so
-- that concurrent writers wait for each other instead of deadlocking.
CREATE FUNCTION directory_learn_words() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_words (word)
    SELECT DISTINCT w FROM changed_actors, unnest(tsvector_to_array(search_vector)) w
    ORDER BY 1
    ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;
CREATE TRIGGER actors_learn_words_on_insert AFTER INSERT ON actors
  REFERENCING NEW TABLE AS changed_actors
  FOR EACH STATEMENT EXECUTE FUNCTION directory_learn_words();
CREATE TRIGGER actors_learn_words_on_update AFTER UPDATE ON actors
  REFERENCING NEW TABLE AS changed_actors
  FOR EACH STATEMENT EXECUTE FUNCTION directory_learn_words();

-- The full-text query of a search. Each word of `query` (accents and case folded, stemmed
-- in French, stop words dropped) stands for itself when some actor uses it, or else for the
-- words of the actors closest in spelling (at most 3, trigram similarity at least 0.3), or for
-- itself when none is that close (it then matches nothing). The words are ANDed:
-- 'economie solidare' gives 'econom' & ( 'solidair' ).
CREATE FUNCTION directory_search_query(query text) RETURNS tsquery
  LANGUAGE sql STABLE PARALLEL SAFE STRICT
RETURN (
  WITH query_words AS (
    SELECT q.lexeme, q.positions[1] AS position
    FROM unnest(to_tsvector('french', directory_fold(query))) q
  ), meanings AS (
    SELECT qw.position,
           CASE WHEN EXISTS (SELECT FROM search_words s WHERE s.word = qw.lexeme)
                THEN ARRAY[qw.lexeme]
                ELSE coalesce(
                  (SELECT array_agg(n.word ORDER BY n.distance, n.word)
                   FROM (SELECT s.word, s.word <-> qw.lexeme AS distance
                         FROM search_words s
                         ORDER BY s.word <-> qw.lexeme
                         LIMIT 3) n
                   WHERE n.distance <= 0.7),
                  ARRAY[qw.lexeme])
           END AS words
    FROM query_words qw
  )
  SELECT coalesce(string_agg(
           '(' || (SELECT string_agg(
                     '''' || replace(replace(w, '\', '\\'), '''', '''''') || '''', ' | ')
                   FROM unnest(m.words) w) || ')',
           ' & ' ORDER BY m.position), '')::tsquery
  FROM meanings m
);
