package io.vtp.spring.boot.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.vtp.spring.boot.VtpRedisAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.session.SessionRepository;
import org.springframework.session.web.http.SessionRepositoryFilter;

/** Start-up: the beans, the switch, and one message naming the property and the rule for each mistake. */
class VtpSessionAutoConfigurationTest {
  // Nothing listens on port 1: the client connects lazily, and nothing here sends a command.
  private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(VtpRedisAutoConfiguration.class, VtpSessionAutoConfiguration.class))
      .withPropertyValues("vtp.redis.url=redis://127.0.0.1:1");

  @Test
  void defaults_provideTheRepositoryAndSpringSessionsFilter() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(VtpSessionRepository.class).hasSingleBean(SessionRepositoryFilter.class);
      assertThat(context.getBean(SessionRepository.class).createSession().getMaxInactiveInterval())
          .hasMinutes(30);
    });
  }

  @Test
  void disabled_providesNothing() {
    runner.withPropertyValues("vtp.session.enabled=false").run(context ->
        assertThat(context).doesNotHaveBean(SessionRepository.class).doesNotHaveBean(SessionRepositoryFilter.class));
  }

  @Test
  void zeroIdleTimeout_failsNamingThePropertyAndTheRule() {
    assertStartupFailure("vtp.session.idle-timeout=0s",
        "vtp.session.idle-timeout: session store 'spring': idleTimeout must be at least 1 second but was PT0S");
  }

  @Test
  void zeroMaxSessionsPerUser_failsNamingThePropertyAndTheRule() {
    assertStartupFailure("vtp.session.max-sessions-per-user=0",
        "vtp.session.max-sessions-per-user: session store 'spring': maxSessionsPerUser must be >= 1 but was 0");
  }

  @Test
  void shortIdHashKey_failsWithoutShowingTheKey() {
    assertStartupFailure("vtp.session.id-hash-key=too-short",
        "vtp.session.id-hash-key: session store 'spring': idHashKey must be at least 32 bytes but was 9 bytes");
  }

  @Test
  void unknownAllowedType_failsNamingTheProperty() {
    assertStartupFailure("vtp.session.json.allowed-types=com.example.Missing",
        "vtp.session.json.allowed-types[0]: must name a class on the class path");
  }

  @Test
  void missingRedisUrl_failsNamingTheProperty() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(VtpRedisAutoConfiguration.class, VtpSessionAutoConfiguration.class))
        .run(context -> assertThat(rootCause(context.getStartupFailure())).hasMessageStartingWith(
            "vtp.redis.url: required"));
  }

  private void assertStartupFailure(String property, String message) {
    runner.withPropertyValues(property).run(context ->
        assertThat(rootCauseBelowStore(context.getStartupFailure())).hasMessageStartingWith(message));
  }

  /** The starter's own exception: the deepest IllegalStateException (below it is the store's original). */
  private static Throwable rootCauseBelowStore(Throwable failure) {
    assertThat(failure).isNotNull();
    Throwable found = null;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof IllegalStateException) {
        found = t;
      }
    }
    assertThat(found).as("an IllegalStateException in %s", failure).isNotNull();
    return found;
  }

  private static Throwable rootCause(Throwable failure) {
    assertThat(failure).isNotNull();
    Throwable t = failure;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
