package io.vtp.loadgen;

import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Recorder;

/**
 * What one sender (a sender thread, or the asynchronous scheduler and its completions) counted: plain fields, owned
 * by one thread at a time (a sender thread's own, or guarded by the tally's monitor in the asynchronous mode), merged
 * into the {@link OpenLoopLoad.Result} after the run. Latencies go to the run's shared {@link Recorder}s, which take
 * concurrent writers.
 */
final class Tally {
  static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(5);
  private static final int MAX_FAILURE_NOTES = 5;

  private final Recorder latency;
  private final Recorder service;
  long sent;
  long ok;
  long errors;
  long unanswered;
  long timeouts;
  long retried;
  long skipped;
  long rateLimited;
  long cacheHits;
  long cacheMisses;
  long busyDue;
  /** Asynchronous mode: sent and not yet answered or failed. */
  long pending;
  /** Asynchronous mode: the result was taken; what completes after it is not counted. */
  boolean closed;
  final Map<Integer, Long> statuses = new HashMap<>();
  final Map<String, Long> instances = new HashMap<>();
  final List<String> failures = new ArrayList<>();

  Tally(Recorder latency, Recorder service) {
    this.latency = latency;
    this.service = service;
  }

  /** Records an answer: {@code intended} the due time, {@code sentAt} the actual send, {@code end} the answer. */
  void answered(HttpResponse<?> r, String what, long intended, long sentAt, long end) {
    latency.recordValue(micros(end - intended));
    service.recordValue(micros(end - sentAt));
    int status = r.statusCode();
    statuses.merge(status, 1L, Long::sum);
    String instance = r.headers().firstValue("X-Instance-Id").orElse(null);
    if (instance != null) {
      instances.merge(instance, 1L, Long::sum);
    }
    if (status >= 200 && status < 300) {
      ok++;
    } else {
      errors++;
      note(what + " answered " + status + (instance == null ? "" : " by " + instance));
    }
    if (r.headers().firstValue("RateLimit").isPresent()) {
      rateLimited++;
    }
    String cache = r.headers().firstValue("X-Cache").orElse("");
    if (cache.equals("HIT")) {
      cacheHits++;
    } else if (cache.equals("MISS")) {
      cacheMisses++;
    }
  }

  /** Records a request that got no answer (a timeout or an I/O failure) at {@code end}. */
  void unanswered(Throwable failure, String what, long intended, long end) {
    errors++;
    unanswered++;
    latency.recordValue(micros(end - intended));
    if (failure instanceof HttpTimeoutException) {
      timeouts++;
      note(what + " timed out");
    } else {
      note(what + " failed: " + failure);
    }
  }

  void note(String failure) {
    if (failures.size() < MAX_FAILURE_NOTES) {
      failures.add(failure);
    }
  }

  static long micros(long nanos) {
    return Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000));
  }
}
