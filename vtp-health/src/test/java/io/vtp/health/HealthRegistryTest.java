package io.vtp.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Registry behaviour with in-process checks (the collaborator here is the check, not a dependency). */
class HealthRegistryTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  private HealthRegistry registry;

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  private HealthRegistry.Builder builder() {
    return HealthRegistry.builder().instanceId("backend-1").clock(CLOCK).interval(Duration.ofHours(1));
  }

  @Test
  void readiness_beforeFirstRound_failsAsStarting() {
    registry = builder().register(HealthCheck.of("db", Criticality.CRITICAL, CheckOutcome::pass)).build();
    HealthReport ready = registry.readiness();
    assertThat(ready.status()).isEqualTo(HealthStatus.FAIL);
    assertThat(ready.httpStatus()).isEqualTo(503);
    assertThat(ready.reason()).contains("starting");
  }

  @Test
  void start_runsEveryCheckOnceAndPasses() {
    AtomicInteger calls = new AtomicInteger();
    registry = builder().register(HealthCheck.of("db", Criticality.CRITICAL, () -> {
      calls.incrementAndGet();
      return CheckOutcome.pass();
    })).build();
    registry.start();
    registry.start();
    assertThat(calls).hasValue(1);
    HealthReport ready = registry.readiness();
    assertThat(ready.status()).isEqualTo(HealthStatus.PASS);
    assertThat(ready.httpStatus()).isEqualTo(200);
    assertThat(ready.reason()).isNull();
    assertThat(ready.instance()).isEqualTo("backend-1");
    assertThat(ready.checks()).singleElement().satisfies(c -> {
      assertThat(c.name()).isEqualTo("db");
      assertThat(c.status()).isEqualTo(HealthStatus.PASS);
      assertThat(c.time()).isEqualTo(CLOCK.instant());
    });
  }

  @Test
  void throwingCheck_isAFailureCarryingItsMessage() {
    registry = builder().register(new HealthCheck() {
      @Override
      public String name() {
        return "db";
      }

      @Override
      public String unhealthyReason() {
        return "database unreachable";
      }

      @Override
      public CheckOutcome check() {
        throw new IllegalStateException("connection refused");
      }
    }).build();
    registry.start();
    HealthReport ready = registry.readiness();
    assertThat(ready.status()).isEqualTo(HealthStatus.FAIL);
    assertThat(ready.reason()).isEqualTo("database unreachable");
    assertThat(ready.checks().get(0).message()).isEqualTo("IllegalStateException: connection refused");
  }

  @Test
  void nullOutcome_isAFailureNeverAPass() {
    registry = builder().register(HealthCheck.of("db", Criticality.CRITICAL, () -> null)).build();
    registry.start();
    assertThat(registry.readiness().status()).isEqualTo(HealthStatus.FAIL);
  }

  @Test
  void hangingCheck_failsWithinItsTimeoutAndIsNotStartedAgainWhileStuck() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    registry = builder().register(HealthCheck.of("db", Criticality.CRITICAL, () -> {
      calls.incrementAndGet();
      // Ignores interrupts, like a socket read on a hung server.
      while (true) {
        try {
          if (release.await(10, TimeUnit.SECONDS)) {
            return CheckOutcome.pass();
          }
        } catch (InterruptedException e) {
          // keep hanging
        }
      }
    }), Duration.ofMillis(200)).build();
    long t0 = System.nanoTime();
    registry.start();
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    assertThat(registry.readiness().checks().get(0).message()).isEqualTo("timed out after 200 ms");
    registry.refresh();
    assertThat(registry.readiness().checks().get(0).message()).startsWith("previous check still running");
    assertThat(calls).hasValue(1);
    release.countDown();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
      registry.refresh();
      return registry.readiness().checks().get(0).observed() == HealthStatus.PASS;
    });
    assertThat(calls).hasValue(2);
  }

  @Test
  void checks_runInParallel() {
    CyclicBarrier both = new CyclicBarrier(2);
    // Each check passes only if the other is running at the same time.
    HealthCheck a = HealthCheck.of("a", Criticality.CRITICAL, () -> {
      both.await(3, TimeUnit.SECONDS);
      return CheckOutcome.pass();
    });
    HealthCheck b = HealthCheck.of("b", Criticality.CRITICAL, () -> {
      both.await(3, TimeUnit.SECONDS);
      return CheckOutcome.pass();
    });
    registry = builder().timeout(Duration.ofSeconds(5)).register(a).register(b).build();
    registry.start();
    assertThat(registry.readiness().checks()).extracting(CheckResult::status)
        .containsExactly(HealthStatus.PASS, HealthStatus.PASS);
  }

  @Test
  void hysteresis_needsNFailuresToGoDownAndMSuccessesToComeBack() {
    AtomicReference<CheckOutcome> next = new AtomicReference<>(CheckOutcome.pass());
    registry = builder().failureThreshold(3).successThreshold(2)
        .register(HealthCheck.of("db", Criticality.CRITICAL, next::get)).build();
    registry.start();
    next.set(CheckOutcome.fail("down"));
    registry.refresh();
    registry.refresh();
    HealthReport stillUp = registry.report();
    assertThat(stillUp.status()).isEqualTo(HealthStatus.PASS);
    assertThat(stillUp.checks().get(0).observed()).isEqualTo(HealthStatus.FAIL);
    assertThat(stillUp.checks().get(0).consecutiveFailures()).isEqualTo(2);
    registry.refresh();
    assertThat(registry.readiness().status()).isEqualTo(HealthStatus.FAIL);
    next.set(CheckOutcome.pass());
    registry.refresh();
    assertThat(registry.readiness().status()).isEqualTo(HealthStatus.FAIL);
    registry.refresh();
    assertThat(registry.readiness().status()).isEqualTo(HealthStatus.PASS);
  }

  @Test
  void probes_areServedFromTheSnapshotWithoutRunningChecks() {
    AtomicInteger calls = new AtomicInteger();
    registry = builder().register(HealthCheck.of("db", Criticality.CRITICAL, () -> {
      calls.incrementAndGet();
      return CheckOutcome.pass();
    })).build();
    registry.start();
    for (int i = 0; i < 10_000; i++) {
      registry.readiness();
      registry.report();
      registry.liveness();
    }
    assertThat(calls).hasValue(1);
  }

  @Test
  void liveness_passesWithFailingDependenciesAndWhileDraining() {
    AtomicInteger calls = new AtomicInteger();
    registry = builder().register(HealthCheck.of("db", Criticality.CRITICAL, () -> {
      calls.incrementAndGet();
      return CheckOutcome.fail("down");
    })).build();
    registry.start();
    registry.startDraining();
    HealthReport live = registry.liveness();
    assertThat(live.status()).isEqualTo(HealthStatus.PASS);
    assertThat(live.checks()).isEmpty();
    assertThat(calls).hasValue(1);
  }

  @Test
  void startDraining_failsReadinessAtOnce() {
    registry = builder().register(HealthCheck.of("db", Criticality.CRITICAL, CheckOutcome::pass)).build();
    registry.start();
    assertThat(registry.readiness().httpStatus()).isEqualTo(200);
    registry.startDraining();
    assertThat(registry.isDraining()).isTrue();
    HealthReport ready = registry.readiness();
    assertThat(ready.httpStatus()).isEqualTo(503);
    assertThat(ready.reason()).isEqualTo("draining");
    assertThat(ready.draining()).isTrue();
  }

  @Test
  void nonCriticalFailure_isWarnWithStatus200() {
    registry = builder()
        .register(HealthCheck.of("db", Criticality.CRITICAL, CheckOutcome::pass))
        .register(HealthCheck.of("cache", Criticality.NON_CRITICAL, () -> CheckOutcome.fail("down")))
        .build();
    registry.start();
    HealthReport ready = registry.readiness();
    assertThat(ready.status()).isEqualTo(HealthStatus.WARN);
    assertThat(ready.httpStatus()).isEqualTo(200);
    assertThat(ready.reason()).isNull();
  }

  @Test
  void start_schedulesBackgroundRoundsOnTheInterval() {
    AtomicInteger calls = new AtomicInteger();
    registry = HealthRegistry.builder().instanceId("i").interval(Duration.ofMillis(20))
        .register(HealthCheck.of("db", Criticality.CRITICAL, () -> {
          calls.incrementAndGet();
          return CheckOutcome.pass();
        })).build();
    registry.start();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> calls.get() >= 4);
    registry.close();
    int after = calls.get();
    assertThat(registry.checkNames()).containsExactly("db");
    assertThatThrownBy(registry::refresh).isInstanceOf(IllegalStateException.class);
    assertThat(calls.get()).isLessThanOrEqualTo(after + 1);
  }

  @Test
  void throwingListener_neverChangesTheResult() {
    AtomicInteger seen = new AtomicInteger();
    registry = builder().listener(new HealthListener() {
      @Override
      public void onResult(CheckResult previous, CheckResult current) {
        throw new IllegalStateException("boom");
      }
    }).listener(new HealthListener() {
      @Override
      public void onResult(CheckResult previous, CheckResult current) {
        seen.incrementAndGet();
      }
    })
        .register(HealthCheck.of("db", Criticality.CRITICAL, CheckOutcome::pass)).build();
    registry.start();
    assertThat(registry.readiness().status()).isEqualTo(HealthStatus.PASS);
    assertThat(seen).hasValue(1);
  }

  @Test
  void build_rejectsBadValuesNamingTheField() {
    assertThatThrownBy(() -> HealthRegistry.builder().instanceId("b1").interval(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("health registry 'b1': interval must be > 0 but was PT0S");
    assertThatThrownBy(() -> HealthRegistry.builder().instanceId("b1").failureThreshold(0).build())
        .hasMessage("health registry 'b1': failureThreshold must be >= 1 but was 0");
    assertThatThrownBy(() -> HealthRegistry.builder().instanceId("b1").successThreshold(0).build())
        .hasMessage("health registry 'b1': successThreshold must be >= 1 but was 0");
    assertThatThrownBy(() -> HealthRegistry.builder().instanceId("b1").register(HealthCheck.of("Bad Name",
        Criticality.CRITICAL, CheckOutcome::pass)).build()).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("health check 'Bad Name': name must be 1 to 64 characters of [A-Za-z0-9._-] but was 'Bad Name'");
    HealthRegistry.Builder b = HealthRegistry.builder().instanceId("b1").register(HealthCheck.of("db",
        Criticality.CRITICAL, CheckOutcome::pass));
    b.register(HealthCheck.of("db", Criticality.CRITICAL, CheckOutcome::pass)); // setters only store
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("health registry 'b1': check names must be unique but 'db' is registered twice");
    assertThatThrownBy(() -> HealthRegistry.builder().instanceId("b1").register(HealthCheck.of("db",
        Criticality.CRITICAL, CheckOutcome::pass), Duration.ZERO).build())
        .hasMessage("health registry 'b1': timeout of check 'db' must be > 0 but was PT0S");
    assertThatThrownBy(() -> HealthRegistry.builder().instanceId(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("health registry ' ': instanceId must not be blank but was ' '");
  }

  /** The rule of every module: a required value never set is IllegalStateException; this builder has none. */
  @Test
  void build_nothingSet_buildsFromDefaultsBecauseNothingIsRequired() {
    HealthRegistry r = HealthRegistry.builder().build();
    try {
      assertThat(r.liveness().status()).isEqualTo(HealthStatus.PASS);
    } finally {
      r.close();
    }
  }

  @Test
  void build_acceptsMixedCaseCheckNames() {
    HealthRegistry r = HealthRegistry.builder().instanceId("b1")
        .register(HealthCheck.of("Postgres.Replica-1", Criticality.NON_CRITICAL, CheckOutcome::pass)).build();
    try (r) {
      assertThat(r.checkNames()).containsExactly("Postgres.Replica-1");
    }
  }

  @Test
  void setters_rejectNullNamingTheParameter() {
    HealthRegistry.Builder b = HealthRegistry.builder();
    assertThatThrownBy(() -> b.interval(null)).isInstanceOf(NullPointerException.class).hasMessage("interval");
    assertThatThrownBy(() -> b.instanceId(null)).isInstanceOf(NullPointerException.class).hasMessage("instanceId");
    assertThatThrownBy(() -> b.register(null)).isInstanceOf(NullPointerException.class).hasMessage("check");
  }

  @Test
  void toJson_healthJsonShapeCarriesTheOriginalFields() throws Exception {
    registry = builder().register(new HealthCheck() {
      @Override
      public String name() {
        return "postgresql";
      }

      @Override
      public String componentType() {
        return "datastore";
      }

      @Override
      public String unhealthyReason() {
        return "database unreachable";
      }

      @Override
      public CheckOutcome check() {
        return CheckOutcome.fail("bad \"quote\"\n\u0001");
      }
    }).build();
    registry.start();
    HealthReport report = registry.report();
    JsonNode json = JSON.readTree(report.toJson(HealthFormat.HEALTH_JSON));
    assertThat(json.get("status").asText()).isEqualTo("fail");
    assertThat(json.get("instance").asText()).isEqualTo("backend-1");
    assertThat(json.get("timestamp").asLong()).isEqualTo(CLOCK.instant().getEpochSecond());
    assertThat(json.get("reason").asText()).isEqualTo("database unreachable");
    JsonNode check = json.get("checks").get("postgresql:responseTime").get(0);
    assertThat(check.get("status").asText()).isEqualTo("fail");
    assertThat(check.get("componentType").asText()).isEqualTo("datastore");
    assertThat(check.get("observedUnit").asText()).isEqualTo("ms");
    assertThat(check.get("output").asText()).isEqualTo("bad \"quote\"\n\u0001");
    assertThat(HealthFormat.HEALTH_JSON.contentType()).isEqualTo("application/health+json");

    JsonNode compat = JSON.readTree(report.toJson(HealthFormat.COMPAT));
    assertThat(compat.get("status").asText()).isEqualTo("unhealthy");
    assertThat(compat.get("health").asText()).isEqualTo("fail");
    assertThat(compat.get("reason").asText()).isEqualTo("database unreachable");
  }

  @Test
  void toJson_compatSaysHealthyForPassAndWarn() throws Exception {
    registry = builder()
        .register(HealthCheck.of("cache", Criticality.NON_CRITICAL, () -> CheckOutcome.fail("down")))
        .build();
    registry.start();
    JsonNode compat = JSON.readTree(registry.readiness().toJson(HealthFormat.COMPAT));
    assertThat(compat.get("status").asText()).isEqualTo("healthy");
    assertThat(compat.get("health").asText()).isEqualTo("warn");
    assertThat(compat.has("reason")).isFalse();
    JsonNode live = JSON.readTree(registry.liveness().toJson(HealthFormat.HEALTH_JSON));
    assertThat(live.get("status").asText()).isEqualTo("pass");
    assertThat(live.has("checks")).isFalse();
  }
}
