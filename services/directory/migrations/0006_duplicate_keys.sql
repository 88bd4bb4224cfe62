-- FindDuplicates compares what people write differently for one organisation: the keys below
-- are computed once per actor (stored generated columns) and indexed, so that the candidate
-- pairs are found by index instead of comparing every actor with every other.

-- The name as compared by the similar-name rules: folded (case, accents, œ → oe), `&` and the
-- word "and" read as "et", a leading article (le, la, les, l') dropped, then every character
-- that is not a letter or a digit removed, so that spacing and punctuation do not count:
-- "La Recyclade" and "Recyclade" → recyclade; "Cric & Co" and "Cric and Co" → cricetco;
-- "Fédération Léo Lagrange" and "Federation Leo-Lagrange" → federationleolagrange;
-- "Mail'Up", "Mailup" and "Mail Up" → mailup. A name with nothing left keeps its folded form.
CREATE FUNCTION directory_name_key(input text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN coalesce(nullif(regexp_replace(regexp_replace(regexp_replace(
    directory_fold(input), '&|\mand\M', ' et ', 'g'), '^\s*(l[''’]|(les?|la)\M)', ''),
    '[^[:alnum:]]+', '', 'g'), ''), directory_fold(input));

-- The web site as compared by SAME_WEBSITE: case folded (host and path: a directory's sites
-- are association pages whose paths people type in any case), without the scheme, a leading
-- `www.`, the fragment and trailing slashes: "https://www.recyclade.fr/" and
-- "http://Recyclade.fr" → recyclade.fr. The path is kept: two pages of one platform
-- (helloasso.com/associations/a, .../b) are not the same site.
CREATE FUNCTION directory_website_key(input text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN regexp_replace(regexp_replace(regexp_replace(lower(btrim(input)),
    '^[a-z][a-z0-9+.-]*://', ''), '^www\.', ''), '/*(\?[^#]*)?(#.*)?$', '\1');

-- The e-mail address as compared by SAME_EMAIL: without surrounding spaces, case folded.
CREATE FUNCTION directory_email_key(input text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN lower(btrim(input));

ALTER TABLE actors
  ADD COLUMN name_key text GENERATED ALWAYS AS (directory_name_key(display_name)) STORED,
  ADD COLUMN website_key text GENERATED ALWAYS AS (directory_website_key(website)) STORED,
  ADD COLUMN email_key text GENERATED ALWAYS AS (directory_email_key(email)) STORED;

CREATE INDEX actors_name_key_trgm ON actors USING gin (name_key gin_trgm_ops)
  WHERE state <> 'ACTOR_STATE_MERGED';
CREATE INDEX actors_website_key ON actors (website_key)
  WHERE website_key <> '' AND state <> 'ACTOR_STATE_MERGED';
CREATE INDEX actors_email_key ON actors (email_key)
  WHERE email_key <> '' AND state <> 'ACTOR_STATE_MERGED';
