package io.vtp.app.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batching writer behind every log line of the app: order, batching, prompt warnings, drops, stop. */
class BatchingAppenderTest {
  private final LoggerContext context = new LoggerContext();
  private final RecordingStream out = new RecordingStream();
  private BatchingAppender appender;

  @AfterEach
  void stop() {
    if (appender != null) {
      appender.stop();
    }
  }

  private BatchingAppender start(int queueSize, long windowMillis, OutputStream stream) {
    context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter()); // as SLF4J's binding does
    appender = new BatchingAppender();
    appender.setName("test");
    appender.setContext(context);
    appender.setEncoder(new LineEncoder());
    appender.setOutputStream(stream);
    appender.setQueueSize(queueSize);
    appender.setWindowMillis(windowMillis);
    appender.start();
    assertThat(appender.isStarted()).isTrue();
    return appender;
  }

  private ILoggingEvent event(Level level, String message) {
    LoggingEvent e = new LoggingEvent();
    e.setLoggerContext(context);
    e.setLoggerName("t");
    e.setLevel(level);
    e.setMessage(message);
    e.setThreadName(Thread.currentThread().getName());
    e.setTimeStamp(System.currentTimeMillis());
    return e;
  }

  @Test
  void writesEveryLineInOrder_inFarFewerWritesThanLines() {
    start(8192, 20, out);
    for (int i = 0; i < 1000; i++) {
      appender.doAppend(event(Level.INFO, "line " + i));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> appender.pending() == 0);
    List<String> lines = out.lines();
    assertThat(lines).hasSize(1000);
    for (int i = 0; i < 1000; i++) {
      assertThat(lines.get(i)).isEqualTo("INFO line " + i);
    }
    // A burst within the window goes out in a handful of writes, not one per line.
    assertThat(appender.writes()).isLessThan(50);
    assertThat(out.writes).isEqualTo(appender.writes());
  }

  @Test
  void aWarning_isWrittenAtOnce_notAfterTheWindow() {
    start(8192, 10_000, out); // a window far longer than the wait below
    appender.doAppend(event(Level.WARN, "disk full"));
    await().atMost(Duration.ofSeconds(2)).until(() -> out.lines().contains("WARN disk full"));
  }

  @Test
  void aFullQueue_dropsWithoutBlocking_andTheNextBatchSaysHowMany() throws Exception {
    BlockingStream blocked = new BlockingStream();
    start(4, 0, blocked);
    appender.doAppend(event(Level.INFO, "first")); // the writer takes it and blocks in write
    await().atMost(Duration.ofSeconds(5)).until(() -> blocked.entered.getCount() == 0);
    long t0 = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      appender.doAppend(event(Level.INFO, "more " + i));
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("appending never waits").isLessThan(1000);
    assertThat(appender.dropped()).isEqualTo(6); // 4 queued, 6 dropped
    blocked.release.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> appender.pending() == 0);
    List<String> lines = blocked.lines();
    assertThat(lines).startsWith("INFO first", "WARN 6 log events dropped: the log queue (4) was full");
    assertThat(lines.subList(2, lines.size())).containsExactly("INFO more 0", "INFO more 1", "INFO more 2",
        "INFO more 3");
  }

  @Test
  void stop_writesWhatIsQueued() {
    start(8192, 10_000, out); // nothing would be written for 10 s but for the stop
    for (int i = 0; i < 100; i++) {
      appender.doAppend(event(Level.INFO, "queued " + i));
    }
    appender.stop();
    assertThat(out.lines()).hasSize(100).endsWith("INFO queued 99");
    appender.doAppend(event(Level.INFO, "after stop"));
    assertThat(out.lines()).hasSize(100);
  }

  @Test
  void withoutAnEncoder_itDoesNotStart() {
    appender = new BatchingAppender();
    appender.setContext(context);
    appender.start();
    assertThat(appender.isStarted()).isFalse();
  }

  /** "LEVEL message\n". */
  private static final class LineEncoder extends EncoderBase<ILoggingEvent> {
    @Override
    public byte[] headerBytes() {
      return new byte[0];
    }

    @Override
    public byte[] encode(ILoggingEvent e) {
      return (e.getLevel() + " " + e.getFormattedMessage() + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
      return new byte[0];
    }
  }

  /** Records bytes and counts write calls. */
  private static class RecordingStream extends OutputStream {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    volatile long writes;

    @Override
    public synchronized void write(int b) {
      bytes.write(b);
      writes++;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      bytes.write(b, off, len);
      writes++;
    }

    synchronized List<String> lines() {
      String text = bytes.toString(StandardCharsets.UTF_8);
      return text.isEmpty() ? List.of() : new ArrayList<>(Arrays.asList(text.split("\n")));
    }
  }

  /** Blocks its first write until released. */
  private static final class BlockingStream extends RecordingStream {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void write(byte[] b, int off, int len) {
      entered.countDown();
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      super.write(b, off, len);
    }
  }
}
