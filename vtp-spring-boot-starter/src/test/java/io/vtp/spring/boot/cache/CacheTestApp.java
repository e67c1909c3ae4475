package io.vtp.spring.boot.cache;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;

/** A service with cached methods; its {@link Probe} is shared by the test's two instances. */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = {
    // Spring Security is on the test class path (the session tests use it); these tests stand in for it.
    "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"})
@EnableCaching
public class CacheTestApp {

  /** What the cached methods did, across both instances of the test. */
  public static final class Probe {
    final AtomicInteger loads = new AtomicInteger();
    final AtomicInteger plainLoads = new AtomicInteger();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger flakyLoads = new AtomicInteger();
    volatile boolean databaseDown;
  }

  @Bean
  Catalog catalog(Probe probe) {
    return new Catalog(probe);
  }

  /** The cached service. */
  public static class Catalog {
    private final Probe probe;

    Catalog(Probe probe) {
      this.probe = probe;
    }

    /** Single flight: holds its callers until the test releases it. */
    @Cacheable(cacheNames = "items", sync = true)
    public Item find(String id) throws InterruptedException {
      int n = probe.loads.incrementAndGet();
      probe.entered.countDown();
      if (!probe.release.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the load");
      }
      return new Item(id, n);
    }

    /** Spring's non-sync path: a lookup, then the method, then a put. */
    @Cacheable("plain")
    public Item plain(String id) {
      return new Item(id, probe.plainLoads.incrementAndGet());
    }

    /** Fails while the probe says the database is down. */
    @Cacheable(cacheNames = "flaky", sync = true)
    public Item flaky(String id) {
      if (probe.databaseDown) {
        throw new IllegalStateException("database down");
      }
      return new Item(id, probe.flakyLoads.incrementAndGet());
    }

    /** Removes an entry on every instance. */
    @CacheEvict("plain")
    public void evictPlain(String id) {
    }
  }
}
