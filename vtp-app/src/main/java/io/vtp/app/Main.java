package io.vtp.app;

import io.vtp.app.config.AppConfig;
import io.vtp.app.config.ConfigException;
import io.vtp.app.db.SchemaValidationException;

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
    // slf4j-simple reads these once, before the first logger is created.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", config.logLevel());
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.io.javalin", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.com.zaxxer.hikari", "warn");
    org.slf4j.LoggerFactory.getLogger(Main.class).info("starting with {}", config);
    App app;
    try {
      app = App.start(config);
    } catch (SchemaValidationException e) {
      // Already logged by App with what differs; a stack trace adds nothing, and a restart cannot fix it.
      System.exit(3);
      return;
    }
    Thread hook = new Thread(() -> {
      app.shutdown();
      // SIGTERM is the normal way to stop an instance: exit 0 once the drain completed, not 143.
      Runtime.getRuntime().halt(0);
    }, "vtp-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    Thread.currentThread().join();
  }
}
