package io.vtp.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

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

  @Test
  void rawGetThenCompareAndSet_isAGetAndTheSessionStoresCompareAndSet_sessionSized() {
    BenchRedis redis = new BenchRedis();
    redis.start();
    try {
      RawGetBenchmark.SessionRecord record = new RawGetBenchmark.SessionRecord();
      record.seed(redis);
      Blackhole hole = new Blackhole(
          "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
      RawGetBenchmark floor = new RawGetBenchmark();
      floor.rawGetThenCompareAndSet(redis, record, hole); // loads the script, so each call below is one EVALSHA
      redis.server().resetStats();

      for (int i = 0; i < 3; i++) {
        assertThat(floor.rawGetThenCompareAndSet(redis, record, hole)).isEqualTo(1L); // each compare matches
      }

      assertThat(redis.server().commandCalls()).containsEntry("get", 3L).containsEntry("evalsha", 3L)
          .containsEntry("hget", 3L).containsEntry("hset", 3L);
      // What vtpFindThenUpdate's HMGET reads and its cas.lua writes: the meta and the JSON of a benchmark session.
      assertThat(record.metaBytes).isGreaterThan(40);
      assertThat(record.dataBytes).isGreaterThan(60);
      assertThat(redis.client().get(record.getKey)).hasSize(record.metaBytes + record.dataBytes);
    } finally {
      redis.stop();
    }
  }

  @Test
  void rawTimeGetSet_isOneScriptOfTimeGetAndSet() {
    BenchRedis redis = new BenchRedis();
    redis.start();
    try {
      RawGetBenchmark.LimiterCursor cursor = new RawGetBenchmark.LimiterCursor();
      RawGetBenchmark floor = new RawGetBenchmark();
      floor.rawTimeGetSet(redis, cursor); // loads the script
      redis.server().resetStats();

      floor.rawTimeGetSet(redis, cursor);

      assertThat(redis.server().commandCalls()).containsEntry("evalsha", 1L).containsEntry("time", 1L)
          .containsEntry("get", 1L).containsEntry("set", 1L);
      assertThat(redis.client().pttl("bench:floor:rl:user" + cursor.next)).isBetween(1L, 60_000L);
    } finally {
      redis.stop();
    }
  }
}
