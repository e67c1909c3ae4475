CREATE TABLE IF NOT EXISTS course (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title         TEXT   NOT NULL,
  description   TEXT   NOT NULL,
  instructor_id BIGINT NOT NULL,
  version       BIGINT NOT NULL DEFAULT 1
);
