package io.vtp.health;

/** Whether a failing check makes the instance unready. Thread-safe. */
public enum Criticality {
  /** A failure fails readiness (HTTP 503): the instance cannot serve without this dependency. */
  CRITICAL,
  /** A failure only degrades the report to {@code warn} (HTTP 200): the instance still serves. */
  NON_CRITICAL
}
