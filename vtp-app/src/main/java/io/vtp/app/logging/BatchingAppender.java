package io.vtp.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes log events to a stream from one background thread, in batches: a request thread only queues its event
 * (never blocks: when the bounded queue is full the event is dropped and counted), and the writer, woken by the
 * first event after a quiet spell, waits a short window for more, encodes all of them into one buffer and writes it
 * with one call. Logback's {@code AsyncAppender} in front of a {@code ConsoleAppender} wakes its worker and makes a
 * write call for every event: at a few thousand requests a second that was most of what the access log cost.
 *
 * <p>A WARN or ERROR event, and a queue more than half full, end the window at once. {@link #stop()} writes what
 * is queued (bounded by {@code maxFlushTime}). When events were dropped, the next batch begins with one WARN line
 * saying how many.
 *
 * <p>Thread-safe: any thread may append; one writer thread encodes and writes.
 */
public final class BatchingAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong queued = new AtomicLong();
  private volatile long handled;
  private Encoder<ILoggingEvent> encoder;
  private OutputStream out;
  private int queueSize = 8192;
  private long windowNanos = TimeUnit.MILLISECONDS.toNanos(5);
  private long maxFlushMillis = 2000;
  private ArrayBlockingQueue<ILoggingEvent> queue;
  private volatile boolean stopping;
  private volatile Thread writer;
  private volatile long writes;

  /**
   * Sets the encoder (required).
   *
   * @param encoder turns an event into the bytes of its line
   */
  public void setEncoder(Encoder<ILoggingEvent> encoder) {
    this.encoder = encoder;
  }

  /**
   * Sets the stream written to; without one, {@code System.out} as it is at each write (as Logback's console
   * appender does). The appender does not close it.
   *
   * @param out the stream
   */
  public void setOutputStream(OutputStream out) {
    this.out = out;
  }

  /**
   * Sets how many events may wait; more are dropped (default 8192).
   *
   * @param queueSize at least 2
   */
  public void setQueueSize(int queueSize) {
    this.queueSize = queueSize;
  }

  /**
   * Sets how long the writer waits for more events after the first of a batch (default 5 ms).
   *
   * @param millis at least 0
   */
  public void setWindowMillis(long millis) {
    this.windowNanos = TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /**
   * Sets how long {@link #stop()} may take to write what is queued (default 2000 ms).
   *
   * @param millis at least 0
   */
  public void setMaxFlushMillis(long millis) {
    this.maxFlushMillis = millis;
  }

  /** Returns how many events were dropped because the queue was full (since start). */
  public long dropped() {
    return dropped.get();
  }

  /** Returns how many write calls were made on the stream (since start). */
  public long writes() {
    return writes;
  }

  /** Returns how many accepted events are not written yet (queued, or in the batch being written). */
  public long pending() {
    return queued.get() - handled;
  }

  @Override
  public void start() {
    if (encoder == null) {
      addError("BatchingAppender '" + getName() + "' needs an encoder");
      return;
    }
    if (queueSize < 2 || windowNanos < 0 || maxFlushMillis < 0) {
      addError("BatchingAppender '" + getName() + "': queueSize must be >= 2 and the times >= 0");
      return;
    }
    queue = new ArrayBlockingQueue<>(queueSize);
    stopping = false;
    Thread t = new Thread(this::writeLoop, "vtp-log-writer");
    t.setDaemon(true);
    writer = t;
    super.start();
    t.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing(); // the message, MDC and key-value pairs as of now, on this thread
    queued.incrementAndGet(); // before the offer: the writer may take it at once
    if (!queue.offer(event)) {
      queued.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    if (event.getLevel().isGreaterOrEqual(Level.WARN) || queue.size() > queueSize / 2) {
      Thread t = writer;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
  }

  private void writeLoop() {
    List<ILoggingEvent> batch = new ArrayList<>();
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(64 * 1024);
    long reported = 0;
    while (!stopping || !queue.isEmpty()) {
      ILoggingEvent first;
      try {
        first = queue.poll(100, TimeUnit.MILLISECONDS); // the quiet-spell wait: the first event wakes it
      } catch (InterruptedException e) {
        first = null; // stop() interrupts: drain below
      }
      if (first == null) {
        continue;
      }
      batch.add(first);
      if (!stopping && windowNanos > 0 && first.getLevel().toInt() < Level.WARN_INT) {
        LockSupport.parkNanos(this, windowNanos); // producers find no waiter: no wake-up per event
      }
      queue.drainTo(batch);
      long drops = dropped.get();
      if (drops > reported) {
        buffer.writeBytes(droppedLine(drops - reported));
        reported = drops;
      }
      int events = batch.size();
      for (ILoggingEvent e : batch) {
        try {
          buffer.writeBytes(encoder.encode(e));
        } catch (RuntimeException ex) {
          addError("BatchingAppender '" + getName() + "': an event could not be encoded", ex);
        }
      }
      batch.clear();
      OutputStream target = out != null ? out : System.out;
      try {
        buffer.writeTo(target);
        target.flush();
        writes++;
      } catch (IOException ex) {
        addError("BatchingAppender '" + getName() + "': write failed", ex);
      }
      buffer.reset();
      handled += events;
    }
  }

  private byte[] droppedLine(long n) {
    ch.qos.logback.classic.spi.LoggingEvent e = new ch.qos.logback.classic.spi.LoggingEvent();
    e.setLoggerName(BatchingAppender.class.getName());
    e.setLevel(Level.WARN);
    e.setThreadName("vtp-log-writer");
    e.setTimeStamp(System.currentTimeMillis());
    e.setMessage(n + " log events dropped: the log queue (" + queueSize + ") was full");
    try {
      return encoder.encode(e);
    } catch (RuntimeException ex) {
      return new byte[0];
    }
  }

  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop(); // no more appends
    stopping = true;
    Thread t = writer;
    if (t != null) {
      t.interrupt();
      try {
        t.join(Math.max(1, maxFlushMillis));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (t.isAlive()) {
        addWarn("BatchingAppender '" + getName() + "': " + queue.size() + " events not written within "
            + maxFlushMillis + " ms");
      }
    }
    writer = null;
  }
}
