package io.vtp.app.logging;

import io.vtp.app.config.ConfigException;

/**
 * Which requests the access log writes ({@code ACCESS_LOG}): all, errors (5xx) only, a sample (every 5xx and a
 * fraction of the rest), or none.
 *
 * @param kind all, errors, sample or off
 * @param rate for {@code sample}: the probability of logging a request that did not fail, in (0, 1]
 */
public record AccessLogMode(Kind kind, double rate) {

  /** The kinds of access logging. */
  public enum Kind {
    /** Every request. */
    ALL,
    /** Requests answered with a 5xx only. */
    ERRORS,
    /** Every 5xx, and each other request with probability {@code rate}. */
    SAMPLE,
    /** None. */
    OFF
  }

  /**
   * Parses {@code all}, {@code errors}, {@code sample:0.01} or {@code off}.
   *
   * @param text the value of ACCESS_LOG
   * @return the mode
   * @throws ConfigException when the value is none of those
   */
  public static AccessLogMode parse(String text) {
    String t = text.trim();
    switch (t) {
      case "all":
        return new AccessLogMode(Kind.ALL, 1);
      case "errors":
        return new AccessLogMode(Kind.ERRORS, 0);
      case "off":
        return new AccessLogMode(Kind.OFF, 0);
      default:
        break;
    }
    if (t.startsWith("sample:")) {
      try {
        double rate = Double.parseDouble(t.substring("sample:".length()));
        if (rate > 0 && rate <= 1) {
          return new AccessLogMode(Kind.SAMPLE, rate);
        }
      } catch (NumberFormatException e) {
        // the message below
      }
    }
    throw new ConfigException("ACCESS_LOG must be all, errors, sample:R (0 < R <= 1, e.g. sample:0.01) or off but was '"
        + t + "'");
  }

  /**
   * Returns whether a request with this status is logged.
   *
   * @param status the response status
   * @param random a uniform number in [0, 1) (only read for {@code sample})
   * @return true to log it
   */
  public boolean logs(int status, double random) {
    switch (kind) {
      case ALL:
        return true;
      case OFF:
        return false;
      case ERRORS:
        return status >= 500;
      default:
        return status >= 500 || random < rate;
    }
  }

  /** Whether the access log writes anything at all. */
  public boolean enabled() {
    return kind != Kind.OFF;
  }

  @Override
  public String toString() {
    return kind == Kind.SAMPLE ? "sample:" + rate : kind.name().toLowerCase(java.util.Locale.ROOT);
  }
}
