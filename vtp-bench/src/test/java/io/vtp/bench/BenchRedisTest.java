package io.vtp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchRedisTest {

  @Test
  void rawGet_isOneGetOnTheServer() {
    BenchRedis redis = new BenchRedis();
    redis.start();
    try {
      redis.server().resetStats();
      assertThat(new RawGetBenchmark().rawGet(redis)).hasSize(100);
      assertThat(redis.server().commandCalls()).containsEntry("get", 1L);
    } finally {
      redis.stop();
    }
  }
}
