-- The course table JdbcCourseService reads and writes (JdbcCourseService.schemaDdl() returns this text).
-- Idempotent. Tools that checksum it (the reference app's Flyway migration V2) reject an edited copy on databases
-- that already ran it: change the table with a new migration instead of editing this file.
CREATE TABLE IF NOT EXISTS course (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title         TEXT   NOT NULL,
  description   TEXT   NOT NULL,
  instructor_id BIGINT NOT NULL,
  version       BIGINT NOT NULL DEFAULT 1
);
