package io.vtp.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback in code (no XML to ship or to get wrong): standard output, through a bounded
 * {@link BatchingAppender} that drops (and counts) rather than blocks a request thread when the queue is full and
 * writes in batches from one thread, in JSON lines or text (see {@link LogConfig}).
 *
 * <p>Logback finds this class through {@code META-INF/services} and applies the environment's settings (leniently:
 * an invalid value falls back to the defaults) the first time a logger is created. {@code Main} then applies the
 * validated configuration and the instance id with {@link #apply(LogConfig, String)}.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
  /** The appender's name (on the root logger). */
  public static final String APPENDER = "log-writer";
  /** Events queued for standard output; when full, new events are dropped (never blocking), and counted. */
  static final int QUEUE_SIZE = 8192;
  /** How long the writer gathers events after the first of a batch; WARN and ERROR are written at once. */
  static final int WINDOW_MILLIS = 5;
  private static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%logger{0}] %msg%replace( %kvp){'^ $',''}%n";

  /** For Logback's service loader. */
  public LogSetup() {
    // configured in configure()
  }

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    LogConfig config;
    try {
      config = LogConfig.fromEnv(System.getenv());
    } catch (RuntimeException e) {
      config = LogConfig.defaults(); // Main reports the invalid variable and exits
    }
    install(context, config, System.getenv().getOrDefault("INSTANCE_ID", ""));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * Replaces the logging configuration with this one.
   *
   * @param config the validated configuration
   * @param instanceId the instance id written into every JSON line
   */
  public static void apply(LogConfig config, String instanceId) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
      LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
      context.reset();
      install(context, config, instanceId);
    }
  }

  private static void install(LoggerContext context, LogConfig config, String instanceId) {
    Encoder<ILoggingEvent> encoder;
    if (config.json()) {
      JsonLineEncoder json = new JsonLineEncoder();
      json.setInstance(instanceId);
      encoder = json;
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(TEXT_PATTERN);
      encoder = text;
    }
    encoder.setContext(context);
    encoder.start();

    BatchingAppender writer = new BatchingAppender();
    writer.setName(APPENDER);
    writer.setContext(context);
    writer.setEncoder(encoder);
    writer.setQueueSize(QUEUE_SIZE);
    writer.setWindowMillis(WINDOW_MILLIS);
    writer.setMaxFlushMillis(2000);
    writer.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(config.rootLevel(), Level.INFO));
    root.addAppender(writer);
    for (Map.Entry<String, String> e : config.levels().entrySet()) {
      context.getLogger(e.getKey()).setLevel(Level.toLevel(e.getValue(), Level.INFO));
    }
  }

  /** Flushes the queue and stops the appenders (at the end of shutdown, so the last lines are written). */
  public static void stop() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext) {
      ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
    }
  }
}
