package io.vtp.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;

class BackendUnavailableExceptionTest {

  @Test
  void message_namesComponentInstanceOperationElapsedAndCause() {
    BackendUnavailableException e = new BackendUnavailableException("session store", "web", "find",
        Duration.ofMillis(512), new JedisConnectionException("Read timed out"));
    assertThat(e).hasMessage(
        "session store 'web': find failed after 512 ms: JedisConnectionException: Read timed out");
    assertThat(e.component()).isEqualTo("session store");
    assertThat(e.instance()).isEqualTo("web");
    assertThat(e.operation()).isEqualTo("find");
    assertThat(e.elapsed()).isEqualTo(Duration.ofMillis(512));
    assertThat(new BackendUnavailableException("cache", "c", "get", Duration.ZERO, null))
        .hasMessageEndingWith("no cause");
  }

  @Test
  void constructor_nullContextNamesTheParameter() {
    assertThatThrownBy(() -> new BackendUnavailableException("cache", null, "get", Duration.ZERO, null))
        .isInstanceOf(NullPointerException.class).hasMessage("instance");
  }

  @Test
  void detailConstructor_messageEndsWithTheDetailAndKeepsTheCause() {
    IllegalStateException cause = new IllegalStateException("x");
    BackendUnavailableException e = new BackendUnavailableException("cache", "courses", "get", Duration.ofMillis(7),
        "the bypass is full", cause) { };
    assertThat(e).hasMessage("cache 'courses': get failed after 7 ms: the bypass is full").hasCause(cause);
    assertThat(e.operation()).isEqualTo("get");
    assertThatThrownBy(() -> new BackendUnavailableException("cache", "c", "get", Duration.ZERO, (String) null,
        null) { }).isInstanceOf(NullPointerException.class).hasMessage("detail");
  }
}
