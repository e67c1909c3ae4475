package io.vtp.app;

import io.vtp.app.config.AppConfig;
import io.vtp.app.config.ConfigException;
import io.vtp.app.db.SchemaValidationException;
import io.vtp.app.logging.LogConfig;
import io.vtp.app.logging.LogSetup;
import io.vtp.app.tracing.Tracing;

/**
 * Runs one instance: {@code java -jar vtp-app.jar}. Configuration comes from the environment (see
 * {@link AppConfig}); an invalid value exits with status 2 and one line naming the variable and the rule. A
 * database whose migration history fails validation (an applied migration was edited or removed) exits with
 * status 3 after logging what differs and how to fix it. SIGTERM drains and exits 0.
 */
public final class Main {
  private Main() {}

  /**
   * Starts the app and blocks until it stops.
   *
   * @param args ignored
   * @throws Exception when the server cannot start
   */
  public static void main(String[] args) throws Exception {
    AppConfig config;
    try {
      config = AppConfig.fromEnv(System.getenv());
    } catch (ConfigException e) {
      System.err.println("vtp-app: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    LogConfig logs;
    Tracing tracing;
    try {
      logs = LogConfig.fromEnv(System.getenv());
      tracing = Tracing.fromEnv(System.getenv(), config.instanceId());
    } catch (ConfigException e) {
      System.err.println("vtp-app: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    // Logback configured itself from the environment (LogSetup); now with the validated values and the instance id.
    LogSetup.apply(logs, config.instanceId());
    org.slf4j.LoggerFactory.getLogger(Main.class).info("starting with {}, logs {} level={} levels={} access={}, "
        + "tracing {}", config, logs.json() ? "json" : "text", logs.rootLevel(), logs.levels(), logs.access(),
        tracing.enabled() ? "on" : "off");
    App app;
    try {
      app = App.start(config, tracing, logs.access());
    } catch (SchemaValidationException e) {
      // Already logged by App with what differs; a stack trace adds nothing, and a restart cannot fix it.
      LogSetup.stop();
      System.exit(3);
      return;
    }
    Thread hook = new Thread(() -> {
      app.shutdown();
      LogSetup.stop(); // writes what the log writer still holds
      // SIGTERM is the normal way to stop an instance: exit 0 once the drain completed, not 143.
      Runtime.getRuntime().halt(0);
    }, "vtp-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Thread.currentThread().join();
  }
}
