-- Writes of participants without a scan of their meeting, and the attendance summaries of
-- CloseMeeting planned once per connection.

-- CreateParticipant, UpdateParticipant and BatchInviteParticipants look in the meeting for the
-- participant that the written one would duplicate: the same contact, the same outside e-mail
-- without contact, or the same actor alone. They read every participant of the meeting before
-- (426 rows for one update in a meeting of 426 participants); now each kind of identity has its
-- index within the meeting and the lookup reads the rows of that identity only.
CREATE INDEX participants_meeting_contact ON participants (meeting_id, contact)
  WHERE contact <> '';
CREATE INDEX participants_meeting_email ON participants (meeting_id, lower(person_email))
  WHERE contact = '' AND person_email <> '';
CREATE INDEX participants_meeting_actor_alone ON participants (meeting_id, actor)
  WHERE actor <> '' AND contact = '' AND person_display_name = '' AND NOT anonymized;

-- The participant of `meeting` (other than `except_id`) that a participant of contact
-- `contact_name`, outside e-mail `email` (without contact) or actor `actor_name` (alone)
-- would duplicate, the first by id; NULL when there is none. An empty argument matches no row.
-- Each branch has the literal conditions of its partial index above. STABLE: it reads with the
-- snapshot of the statement that calls it, as the subquery it replaces did.
--
-- Plans by key, made once per connection (here and in summarize_attendance() below): PL/pgSQL
-- keeps its plans for the session, and a plan made while a table was small (a scan of 20 rows
-- costs less than an index probe; a service starts on an empty database, a benchmark grows
-- its tables fifty-fold in seconds) would scan the whole table at every later call of that
-- connection. So these functions plan without sequential scans (every statement in them reads
-- by key) and with generic plans (planned at their first call, not at every call).
CREATE FUNCTION participant_duplicate(meeting bigint, contact_name text, email text,
                                      actor_name text, except_id bigint) RETURNS bigint
LANGUAGE plpgsql STABLE SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $$
BEGIN
  RETURN (
    SELECT d.id FROM (
      SELECT p.id FROM participants p
      WHERE p.meeting_id = meeting AND p.contact = contact_name AND p.contact <> ''
        AND p.id <> except_id
      UNION ALL
      SELECT p.id FROM participants p
      WHERE p.meeting_id = meeting AND lower(p.person_email) = lower(email) AND p.contact = ''
        AND p.person_email <> '' AND p.id <> except_id
      UNION ALL
      SELECT p.id FROM participants p
      WHERE p.meeting_id = meeting AND p.actor = actor_name AND p.actor <> '' AND p.contact = ''
        AND p.person_display_name = '' AND NOT p.anonymized AND p.id <> except_id
    ) d ORDER BY d.id LIMIT 1);
END;
$$;

-- 0003's summarize_attendance() as PL/pgSQL, planned by key once per connection (see above):
-- the same statements, taken from the function 0003 created (its body, each statement ended by
-- ';', made the block of a PL/pgSQL function), so that they are written once. As a LANGUAGE sql
-- function of several statements it was parsed and planned again at every call, and those
-- plans read the participants of a meeting by a scan of the table whenever its statistics were
-- those of a small one: 1.2 ms for a meeting without participants on a quiet machine, 5 to
-- 11 ms under the benchmark's load; now about 0.6 ms (200 calls for a meeting without
-- participants, beside 3,000 of another meeting: 1,267 ms before, 117 ms after).
DO $$
BEGIN
  EXECUTE format(
    'CREATE OR REPLACE FUNCTION summarize_attendance(meeting_ids bigint[]) RETURNS void '
    'LANGUAGE plpgsql SET enable_seqscan = off SET plan_cache_mode = force_generic_plan '
    'AS %L',
    E'BEGIN\n'
      || (SELECT prosrc FROM pg_proc WHERE oid = 'summarize_attendance(bigint[])'::regprocedure)
      || E'\nEND;');
END;
$$;
