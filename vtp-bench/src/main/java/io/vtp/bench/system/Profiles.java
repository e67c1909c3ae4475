package io.vtp.bench.system;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongFunction;

/**
 * The request mixes the system level runs. Requests are built once and reused (an {@link HttpRequest} is
 * immutable), so the generator spends its CPU on sending, not on building; request {@code i} is a pure function
 * of {@code i}, so a run is reproducible.
 */
final class Profiles {
  /** Out of every {@link #MIX_PERIOD} requests of the mixed profile: this many writes ... */
  static final int MIX_WRITES = 1;
  /** ... this many list reads, and the rest (16) course reads: 80 % / 15 % / 5 %. */
  static final int MIX_LISTS = 3;
  static final int MIX_PERIOD = 20;

  private Profiles() {}

  /**
   * A named request mix.
   *
   * @param key short name used in the JSON ({@code health}, {@code course}, {@code mixed}, {@code floor})
   * @param title what it is, for the report
   * @param requests request {@code i}
   */
  record Profile(String key, String title, LongFunction<HttpRequest> requests) {
    Profile {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(title, "title");
      Objects.requireNonNull(requests, "requests");
    }
  }

  /** {@code GET /health/live}: answered from a snapshot, touches neither Redis nor PostgreSQL. */
  static Profile health(String base, Duration timeout) {
    HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/health/live")).timeout(timeout).GET().build();
    return new Profile("health", "GET /health/live", i -> r);
  }

  /**
   * {@code GET /api/v1/courses/{id}} over the given ids in turn, with the session token: a cache-aside read from
   * Redis behind the app's rate limiter.
   */
  static Profile courseRead(String base, String token, long[] ids, Duration timeout) {
    HttpRequest[] reads = courseReads(base, token, ids, timeout);
    return new Profile("course", "GET /api/v1/courses/{id} (cached, rate limited, Bearer token)",
        i -> reads[(int) (i % reads.length)]);
  }

  /**
   * The mixed profile, per 20 requests: 16 cached course reads (80 %), 3 list pages {@code GET /api/v1/courses}
   * (15 %), 1 update {@code PUT /api/v1/courses/{writeId}} by its teacher (5 %: session lookup, per-user limit,
   * ownership read from PostgreSQL, the update, the cache invalidation), spread evenly over the period.
   */
  static Profile mixed(String base, String token, long[] readIds, long writeId, Duration timeout) {
    HttpRequest[] reads = courseReads(base, token, readIds, timeout);
    HttpRequest list = authorized(base + "/api/v1/courses", token, timeout).GET().build();
    HttpRequest write = authorized(base + "/api/v1/courses/" + writeId, token, timeout)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"title\":\"Benchmark write target\","
            + "\"description\":\"updated by bin/bench-system\"}"))
        .build();
    return new Profile("mixed", "80 % course reads, 15 % list pages, 5 % course updates (teacher session)", i -> {
      int slot = (int) (i % MIX_PERIOD);
      if (slot == MIX_PERIOD - 1) {
        return write;
      }
      if (slot % 6 == 5) {
        return list; // slots 5, 11, 17
      }
      return reads[(int) (i % reads.length)];
    });
  }

  /**
   * The Spring peer's {@code GET /api/v1/courses/{id}} over the given ids in turn, with its session id in
   * {@code X-Auth-Token} (Spring Session's header resolver): the same read as {@link #courseRead}.
   */
  static Profile springCourse(String base, String sessionId, long[] ids, Duration timeout) {
    if (ids.length == 0) {
      throw new IllegalArgumentException("course read profile needs at least one course id");
    }
    HttpRequest[] reads = new HttpRequest[ids.length];
    for (int k = 0; k < ids.length; k++) {
      reads[k] = HttpRequest.newBuilder(URI.create(base + "/api/v1/courses/" + ids[k])).timeout(timeout)
          .header("X-Auth-Token", sessionId).GET().build();
    }
    return new Profile("spring", "GET /api/v1/courses/{id} on the Spring peer (Spring Boot 4, Spring Security, "
        + "Spring Session Data Redis, Bucket4j, RedisCacheManager, JDBC)", i -> reads[(int) (i % reads.length)]);
  }

  /**
   * The Spring Boot example on our starter ({@code examples/spring-boot-service}): {@code GET /public/products/1}
   * with the logged-in user's {@code SESSION} cookie (session read, per-user limit, cached product).
   */
  static Profile starterProduct(String base, String sessionCookie, Duration timeout) {
    HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/public/products/1")).timeout(timeout)
        .header("Cookie", sessionCookie).GET().build();
    return new Profile("starter", "GET /public/products/1 on examples/spring-boot-service (Spring Boot 4, Spring "
        + "Security, vtp-spring-boot-starter: session, rate limit, cache)", i -> r);
  }

  /** The floor: the same course read path, answered by {@link FloorApp} with a constant course. */
  static Profile floor(String base, String token, Duration timeout) {
    HttpRequest r = authorized(base + "/api/v1/courses/1", token, timeout).GET().build();
    return new Profile("floor", "GET /api/v1/courses/1 on the bare Javalin floor app", i -> r);
  }

  /**
   * Warm-up traffic for several profiles at once: request {@code i} comes from {@code profiles[i % n]}, so every
   * code path a search will measure is JIT-compiled before its first step, not only the first profile's.
   */
  static Profile interleaved(Profile... profiles) {
    if (profiles.length == 0) {
      throw new IllegalArgumentException("interleaved profile needs at least one profile");
    }
    Profile[] ps = profiles.clone();
    StringBuilder key = new StringBuilder();
    for (Profile p : ps) {
      key.append(key.length() == 0 ? "" : "+").append(p.key());
    }
    return new Profile(key.toString(), "interleaved " + key,
        i -> ps[(int) (i % ps.length)].requests().apply(i / ps.length));
  }

  private static HttpRequest[] courseReads(String base, String token, long[] ids, Duration timeout) {
    if (ids.length == 0) {
      throw new IllegalArgumentException("course read profile needs at least one course id");
    }
    HttpRequest[] reads = new HttpRequest[ids.length];
    for (int k = 0; k < ids.length; k++) {
      reads[k] = authorized(base + "/api/v1/courses/" + ids[k], token, timeout).GET().build();
    }
    return reads;
  }

  private static HttpRequest.Builder authorized(String url, String token, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }
}
