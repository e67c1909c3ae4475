package io.vtp.cache.internal;

import io.vtp.redis.internal.ThrottledLog;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;

/**
 * Keeps one subscription to a cache's invalidation channel on a daemon thread, applying messages to the L1. While
 * it is not subscribed the L1 is unusable; on every (re)subscribe the L1 is cleared first, because messages
 * published while disconnected are lost. Reconnects back off from 50 ms to 5 s.
 */
final class InvalidationListener implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger("io.vtp.cache.RedisCacheAside");
  static final String ALL = "*";

  private final UnifiedJedis redis;
  private final String channel;
  private final L1Cache<?> l1;
  private final ThrottledLog errors;
  private final String cacheName;
  private final Thread thread;
  private final CountDownLatch firstSubscribe = new CountDownLatch(1);
  private volatile boolean closed;
  private volatile JedisPubSub current;

  InvalidationListener(UnifiedJedis redis, String channel, L1Cache<?> l1, ThrottledLog errors, String cacheName) {
    this.redis = redis;
    this.channel = channel;
    this.l1 = l1;
    this.errors = errors;
    this.cacheName = cacheName;
    this.thread = new Thread(this, "vtp-cache-" + cacheName + "-invalidations");
    this.thread.setDaemon(true);
  }

  /** Starts the thread and waits up to {@code wait} for the first subscription. */
  void start(Duration wait) {
    thread.start();
    try {
      if (!firstSubscribe.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn("cache '{}': invalidation listener not subscribed within {}; L1 stays off until it is", cacheName, wait);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void run() {
    long backoff = 50;
    while (!closed) {
      Subscriber pubSub = new Subscriber();
      current = pubSub;
      try {
        redis.subscribe(pubSub, channel);
      } catch (RuntimeException e) {
        if (!closed) {
          errors.warn("cache '" + cacheName + "': invalidation listener lost its Redis connection; L1 is off until it "
              + "resubscribes", e);
        }
      }
      l1.setUsable(false);
      l1.clear();
      if (closed) {
        break;
      }
      try {
        Thread.sleep(backoff);
      } catch (InterruptedException e) {
        break;
      }
      backoff = pubSub.confirmed ? 50 : Math.min(backoff * 2, 5_000);
    }
  }

  void close() {
    closed = true;
    l1.setUsable(false);
    JedisPubSub pubSub = current;
    try {
      if (pubSub != null && pubSub.isSubscribed()) {
        pubSub.unsubscribe();
      }
    } catch (RuntimeException e) {
      LOG.debug("cache '{}': unsubscribe failed while closing", cacheName, e);
    }
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Subscriber extends JedisPubSub {
    volatile boolean confirmed;

    @Override
    public void onSubscribe(String subscribed, int count) {
      confirmed = true;
      l1.clear();
      l1.setUsable(true);
      firstSubscribe.countDown();
    }

    @Override
    public void onMessage(String from, String message) {
      if (ALL.equals(message)) {
        l1.clear();
      } else {
        l1.invalidate(message);
      }
    }
  }
}
