-- The network's own meeting kinds as data (issue #19): the kinds file given at start-up
-- (MAILLAGE_MEETING_KINDS_FILE, code,display_name,description) is upserted into meeting_kinds,
-- and a meeting of such a kind is MEETING_KIND_OTHER with custom_kind set to its code. The
-- indicators count meetings by (kind, custom_kind): meeting_kind_key() is the grouping key,
-- also the kind column of attendance_by_day ("MEETING_KIND_OTHER/fete-du-port"); the rows
-- summarised before this migration have no custom kind, so their key is unchanged.

CREATE TABLE meeting_kinds (
  code         text PRIMARY KEY CHECK (code ~ '^[a-z0-9-]{1,64}$'),
  display_name text NOT NULL CHECK (display_name <> ''),
  description  text NOT NULL DEFAULT '',
  position     integer NOT NULL
);

ALTER TABLE meetings ADD COLUMN custom_kind text NOT NULL DEFAULT '';
ALTER TABLE meetings ADD CONSTRAINT meetings_custom_kind_is_other
  CHECK (custom_kind = '' OR kind = 'MEETING_KIND_OTHER');

CREATE FUNCTION meeting_kind_key(kind text, custom_kind text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN custom_kind = '' THEN kind ELSE kind || '/' || custom_kind END;
$$;

-- 0003's definition, keyed by meeting_kind_key().
CREATE OR REPLACE FUNCTION attendance_changes(meeting_ids bigint[])
RETURNS TABLE (sign integer, action text, day date, kind text, summary attendance_summaries)
LANGUAGE sql STABLE AS $$
  SELECT c.sign, m.action, (m.start_time AT TIME ZONE 'Europe/Paris')::date,
         meeting_kind_key(m.kind, m.custom_kind), c.summary
  FROM meetings m
  CROSS JOIN LATERAL (SELECT 1, f FROM attendance_of(ARRAY[m.id]) f
                      UNION ALL
                      SELECT -1, s FROM attendance_summaries s WHERE s.meeting_id = m.id)
       AS c(sign, summary)
  WHERE m.id = ANY (meeting_ids);
$$;
