-- Attendance summaries: the counts GetIndicators reads instead of the participants of closed
-- meetings. One row per (closed meeting, participant role), written by
-- summarize_attendance() in the transaction that closes the meeting (attendance is frozen
-- then) and in the one that re-points merged actors or contacts; the participants stay the
-- reference, and every figure can be recomputed from them (README, "Indicators").

CREATE TABLE attendance_summaries (
  meeting_id   bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
  role         text NOT NULL,
  -- Participants of the role, by status.
  invited      integer NOT NULL,
  registered   integer NOT NULL,
  waiting_list integer NOT NULL,
  attended     integer NOT NULL,
  excused      integer NOT NULL,
  no_show      integer NOT NULL,
  cancelled    integer NOT NULL,
  -- ATTENDED participants without a directory actor.
  attended_outside_directory integer NOT NULL,
  -- Distinct actor names of the ATTENDED participants, sorted.
  attended_actors text[] NOT NULL,
  PRIMARY KEY (meeting_id, role)
);

-- Rewrites the summaries of `meeting_ids` from their participants.
CREATE FUNCTION summarize_attendance(meeting_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
  DELETE FROM attendance_summaries WHERE meeting_id = ANY (meeting_ids);
  INSERT INTO attendance_summaries
  SELECT p.meeting_id, p.role,
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_INVITED'),
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_REGISTERED'),
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_WAITING_LIST'),
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_ATTENDED'),
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_EXCUSED'),
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_NO_SHOW'),
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_CANCELLED'),
         count(*) FILTER (WHERE p.status = 'PARTICIPANT_STATUS_ATTENDED' AND p.actor = ''),
         COALESCE(array_agg(DISTINCT p.actor ORDER BY p.actor)
                    FILTER (WHERE p.status = 'PARTICIPANT_STATUS_ATTENDED' AND p.actor <> ''),
                  '{}')
  FROM participants p
  WHERE p.meeting_id = ANY (meeting_ids)
  GROUP BY p.meeting_id, p.role;
$$;

-- Meetings closed before this migration.
SELECT summarize_attendance(ARRAY(SELECT id FROM meetings WHERE state = 'MEETING_STATE_CLOSED'));
