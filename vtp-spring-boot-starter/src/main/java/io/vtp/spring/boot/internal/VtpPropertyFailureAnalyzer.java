package io.vtp.spring.boot.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns the starter's start-up failures ({@link IllegalStateException}s whose message begins with the
 * {@code vtp.*} property at fault, e.g. {@code vtp.ratelimit.rules.api.limit: must be > 0 but was 0}) into Boot's
 * "APPLICATION FAILED TO START" report: that one message as the description, and the property to change as the
 * action, instead of a stack of bean-creation exceptions. Other failures are left to Boot's other analyzers.
 * Stateless and thread-safe.
 */
public final class VtpPropertyFailureAnalyzer extends AbstractFailureAnalyzer<IllegalStateException> {
  private static final Pattern PROPERTY = Pattern.compile("^(vtp\\.[A-Za-z0-9._\\-]+): ");

  /** Creates the analyzer; Boot calls it. */
  public VtpPropertyFailureAnalyzer() {
  }

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, IllegalStateException cause) {
    String message = cause.getMessage();
    if (message == null) {
      return null;
    }
    Matcher m = PROPERTY.matcher(message);
    if (!m.find()) {
      return null;
    }
    return new FailureAnalysis(message, "Change '" + m.group(1) + "' in the application's configuration.", cause);
  }
}
