-- Per-day totals of the attendance summaries: GetIndicators sums a few rows per day of the
-- period instead of a few per held meeting, and finds the distinct mobilised actors with one
-- probe per (role, actor) ever mobilised for the action instead of unnesting the actors of
-- every held meeting. A day is the Europe/Paris local date of the meetings' start_time, the
-- unit of the indicators' period. The three tables are moved by summarize_attendance() alone,
-- in the transaction that rewrites the summaries (CloseMeeting, a change-feed page): by the new
-- summaries of its meetings minus their old ones. A closed meeting's action, kind and
-- start_time never change and it cannot be deleted, so what a meeting added to a day is still
-- there to be taken back.

CREATE TABLE attendance_by_day (
  action       text NOT NULL,
  day          date NOT NULL,
  kind         text NOT NULL,
  role         text NOT NULL,
  -- Sums of the same columns of attendance_summaries over the closed meetings of that day.
  invited      integer NOT NULL,
  registered   integer NOT NULL,
  waiting_list integer NOT NULL,
  attended     integer NOT NULL,
  excused      integer NOT NULL,
  no_show      integer NOT NULL,
  cancelled    integer NOT NULL,
  attended_outside_directory integer NOT NULL,
  PRIMARY KEY (action, day, kind, role)
);

-- Closed meetings where the actor ATTENDED in that role: all of them, and those of each day.
-- A row at 0 is deleted. No CHECK (meetings > 0): an upsert checks its candidate row, which
-- holds the difference (negative when an actor is taken back).
CREATE TABLE mobilized_actors (
  action   text NOT NULL,
  role     text NOT NULL,
  actor    text NOT NULL,
  meetings integer NOT NULL,
  PRIMARY KEY (action, role, actor)
);
CREATE TABLE mobilized_actor_days (
  action   text NOT NULL,
  role     text NOT NULL,
  actor    text NOT NULL,
  day      date NOT NULL,
  meetings integer NOT NULL,
  PRIMARY KEY (action, role, actor, day)
);
-- The rows at 0, which summarize_attendance() deletes before its transaction ends.
CREATE INDEX mobilized_actors_none ON mobilized_actors (action) WHERE meetings = 0;
CREATE INDEX mobilized_actor_days_none ON mobilized_actor_days (action) WHERE meetings = 0;

-- The summary rows of `meeting_ids` as their participants give them now (0002's definition).
CREATE FUNCTION attendance_of(meeting_ids bigint[]) RETURNS SETOF attendance_summaries
LANGUAGE sql STABLE AS $$
  SELECT p.meeting_id, p.role,
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_INVITED')::integer,
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_REGISTERED')::integer,
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_WAITING_LIST')::integer,
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_ATTENDED')::integer,
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_EXCUSED')::integer,
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_NO_SHOW')::integer,
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_CANCELLED')::integer,
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_ATTENDED' AND p.actor = '')::integer,
         COALESCE(array_agg(DISTINCT p.actor ORDER BY p.actor)
                    FILTER (WHERE p.status = 'PARTICIPANT_STATUS_ATTENDED' AND p.actor <> ''),
                  '{}')
  FROM participants p
  WHERE p.meeting_id = ANY (meeting_ids)
  GROUP BY p.meeting_id, p.role;
$$;

-- The summary rows of `meeting_ids` to add to the per-day totals (sign 1: as the participants
-- give them now) and to take back (sign -1: as stored), with the day, action and kind of their
-- meeting.
CREATE FUNCTION attendance_changes(meeting_ids bigint[])
RETURNS TABLE (sign integer, action text, day date, kind text, summary attendance_summaries)
LANGUAGE sql STABLE AS $$
  SELECT c.sign, m.action, (m.start_time AT TIME ZONE 'Europe/Paris')::date, m.kind, c.summary
  FROM meetings m
  CROSS JOIN LATERAL (SELECT 1, f FROM attendance_of(ARRAY[m.id]) f
                      UNION ALL
                      SELECT -1, s FROM attendance_summaries s WHERE s.meeting_id = m.id)
       AS c(sign, summary)
  WHERE m.id = ANY (meeting_ids);
$$;

-- Rewrites the summaries of `meeting_ids` from their participants and moves the per-day totals
-- by the difference. Each upsert takes its row locks in key order, so concurrent calls (two
-- meetings of the same day closed at once) wait for each other instead of deadlocking.
CREATE OR REPLACE FUNCTION summarize_attendance(meeting_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO attendance_by_day AS t
  SELECT c.action, c.day, c.kind, (c.summary).role,
         sum(c.sign * (c.summary).invited), sum(c.sign * (c.summary).registered),
         sum(c.sign * (c.summary).waiting_list), sum(c.sign * (c.summary).attended),
         sum(c.sign * (c.summary).excused), sum(c.sign * (c.summary).no_show),
         sum(c.sign * (c.summary).cancelled), sum(c.sign * (c.summary).attended_outside_directory)
  FROM attendance_changes(meeting_ids) c
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (action, day, kind, role) DO UPDATE SET
    invited = t.invited + excluded.invited, registered = t.registered + excluded.registered,
    waiting_list = t.waiting_list + excluded.waiting_list, attended = t.attended + excluded.attended,
    excused = t.excused + excluded.excused, no_show = t.no_show + excluded.no_show,
    cancelled = t.cancelled + excluded.cancelled,
    attended_outside_directory = t.attended_outside_directory + excluded.attended_outside_directory;

  INSERT INTO mobilized_actor_days AS t
  SELECT c.action, (c.summary).role, a.actor, c.day, sum(c.sign)
  FROM attendance_changes(meeting_ids) c CROSS JOIN unnest((c.summary).attended_actors) AS a(actor)
  GROUP BY 1, 2, 3, 4
  HAVING sum(c.sign) <> 0
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (action, role, actor, day) DO UPDATE SET meetings = t.meetings + excluded.meetings;

  INSERT INTO mobilized_actors AS t
  SELECT c.action, (c.summary).role, a.actor, sum(c.sign)
  FROM attendance_changes(meeting_ids) c CROSS JOIN unnest((c.summary).attended_actors) AS a(actor)
  GROUP BY 1, 2, 3
  HAVING sum(c.sign) <> 0
  ORDER BY 1, 2, 3
  ON CONFLICT (action, role, actor) DO UPDATE SET meetings = t.meetings + excluded.meetings;

  -- The rows this call brought to 0 (no other transaction leaves one: see the indexes).
  DELETE FROM mobilized_actor_days WHERE meetings = 0;
  DELETE FROM mobilized_actors WHERE meetings = 0;

  DELETE FROM attendance_summaries WHERE meeting_id = ANY (meeting_ids);
  INSERT INTO attendance_summaries SELECT * FROM attendance_of(meeting_ids);
$$;

-- The totals of the meetings summarised before this migration.
INSERT INTO attendance_by_day
SELECT m.action, (m.start_time AT TIME ZONE 'Europe/Paris')::date, m.kind, s.role,
       sum(s.invited), sum(s.registered), sum(s.waiting_list), sum(s.attended), sum(s.excused),
       sum(s.no_show), sum(s.cancelled), sum(s.attended_outside_directory)
FROM attendance_summaries s JOIN meetings m ON m.id = s.meeting_id
GROUP BY 1, 2, 3, 4;
INSERT INTO mobilized_actor_days
SELECT m.action, s.role, a.actor, (m.start_time AT TIME ZONE 'Europe/Paris')::date, count(*)
FROM attendance_summaries s JOIN meetings m ON m.id = s.meeting_id
     CROSS JOIN unnest(s.attended_actors) AS a(actor)
GROUP BY 1, 2, 3, 4;
INSERT INTO mobilized_actors
SELECT action, role, actor, sum(meetings) FROM mobilized_actor_days GROUP BY 1, 2, 3;
