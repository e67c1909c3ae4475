package io.vtp.loadgen;

import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Recorder;

/**
 * What a run counted: plain fields, guarded by the tally's monitor (the run's scheduler and selector thread both
 * count), merged into the {@link OpenLoopLoad.Result} after the run. Latencies go to the run's shared {@link Recorder}s, which take
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
  /** Sent and not yet answered or failed. */
  long pending;
  /** The result was taken; what completes after it is not counted. */
  boolean closed;
  final Map<Integer, Long> statuses = new HashMap<>();
  final Map<String, Long> instances = new HashMap<>();
  final List<String> failures = new ArrayList<>();

  Tally(Recorder latency, Recorder service) {
    this.latency = latency;
    this.service = service;
  }

  /**
   * Records an answer: {@code intended} the due time, {@code sentAt} the actual send, {@code end} the answer;
   * {@code instance} and {@code cache} the {@code X-Instance-Id} and {@code X-Cache} headers or null.
   */
  void answered(int status, String instance, boolean rateLimit, String cache, HttpRequest request, long intended,
      long sentAt, long end) {
    latency.recordValue(micros(end - intended));
    service.recordValue(micros(end - sentAt));
    statuses.merge(status, 1L, Long::sum);
    if (instance != null) {
      instances.merge(instance, 1L, Long::sum);
    }
    if (status >= 200 && status < 300) {
      ok++;
    } else {
      errors++;
      if (failures.size() < MAX_FAILURE_NOTES) {
        note(what(request) + " answered " + status + (instance == null ? "" : " by " + instance));
      }
    }
    if (rateLimit) {
      rateLimited++;
    }
    if ("HIT".equals(cache)) {
      cacheHits++;
    } else if ("MISS".equals(cache)) {
      cacheMisses++;
    }
  }

  /** Records a request that got no answer (a timeout or an I/O failure) at {@code end}. */
  void unanswered(Throwable failure, HttpRequest request, long intended, long end) {
    errors++;
    unanswered++;
    latency.recordValue(micros(end - intended));
    if (failure instanceof HttpTimeoutException) {
      timeouts++;
      note(what(request) + " timed out");
    } else {
      note(what(request) + " failed: " + failure);
    }
  }

  private static String what(HttpRequest r) {
    return r.method() + " " + r.uri().getPath();
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
