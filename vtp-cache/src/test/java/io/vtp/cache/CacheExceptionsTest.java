package io.vtp.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vtp.redis.BackendUnavailableException;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The cache's exception family: an outage is a {@link BackendUnavailableException}, a loader failure is not. */
class CacheExceptionsTest {

  @Test
  void cacheOverloadedException_isBackendUnavailableWithContext() {
    CacheOverloadedException e = new CacheOverloadedException("courses", "getAll", Duration.ofMillis(250), 8);

    assertThat(e).isInstanceOf(BackendUnavailableException.class).isNotInstanceOf(CacheException.class);
    assertThat(e.component()).isEqualTo("cache");
    assertThat(e.instance()).isEqualTo("courses");
    assertThat(e.cacheName()).isEqualTo("courses");
    assertThat(e.operation()).isEqualTo("getAll");
    assertThat(e.elapsed()).isEqualTo(Duration.ofMillis(250));
    assertThat(e.bypassPermits()).isEqualTo(8);
    assertThat(e).hasNoCause().hasMessageStartingWith("cache 'courses': getAll failed after 250 ms: Redis is "
        + "unavailable and 8 loads already bypass it");
  }

  @Test
  void cacheOverloadedException_nullContextNamesTheParameter() {
    assertThatThrownBy(() -> new CacheOverloadedException(null, "get", Duration.ZERO, 1))
        .isInstanceOf(NullPointerException.class).hasMessage("instance");
  }

  @Test
  void cacheLoadException_isTheLoadersFailureNotAnOutage() {
    IOException cause = new IOException("disk");
    CacheLoadException e = new CacheLoadException("cache 'c': loader failed", cause);

    assertThat(e).isInstanceOf(CacheException.class).isNotInstanceOf(BackendUnavailableException.class)
        .hasCause(cause).hasMessage("cache 'c': loader failed");
  }
}
