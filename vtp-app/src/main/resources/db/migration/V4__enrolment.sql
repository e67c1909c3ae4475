-- Who is enrolled in which course: the room policy (io.vtp.app.rooms.RoomPolicy) lets a course's enrolled
-- students, its teacher and admins into its rooms. Deleting a course or a user removes their enrolments.
CREATE TABLE enrolment (
  course_id   BIGINT      NOT NULL REFERENCES course (id) ON DELETE CASCADE,
  user_id     BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  enrolled_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (course_id, user_id)
);
CREATE INDEX enrolment_user ON enrolment (user_id, course_id);
