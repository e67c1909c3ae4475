package io.vtp.bench.system;

import io.javalin.Javalin;
import java.nio.charset.StandardCharsets;

/**
 * The floor of the system level: a bare Javalin app with the app's framework and nothing else (no Redis, no
 * PostgreSQL, no session, no rate limit, no metrics, no access log), answering {@code GET /api/v1/courses/{id}}
 * with a constant course of the demo data's size and {@code GET /health/live} with a constant health report.
 * {@link SystemBench} runs N of them behind the same nginx configuration as the deployment, so the cached course
 * read through the real app can be read as a fraction of what nginx + Javalin alone serve on this machine.
 *
 * <p>{@code java -cp benchmarks.jar io.vtp.bench.system.FloorApp PORT [INSTANCE_ID]}: listens on 127.0.0.1.
 */
public final class FloorApp {
  private static final byte[] COURSE = ("{\"id\":1,\"title\":\"Scaling Java backends\",\"description\":"
      + "\"Stateless instances behind nginx, state in PostgreSQL and Redis.\",\"instructorId\":1,\"version\":1}")
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] LIVE = "{\"status\":\"pass\"}".getBytes(StandardCharsets.UTF_8);

  private FloorApp() {}

  /**
   * Starts the app; it runs until the process is stopped.
   *
   * @param args the port (1..65535), then optionally the instance id sent as {@code X-Instance-Id}
   */
  public static void main(String[] args) {
    if (args.length < 1 || !args[0].matches("[0-9]{1,5}")) {
      throw new IllegalArgumentException("usage: FloorApp PORT [INSTANCE_ID]");
    }
    start(Integer.parseInt(args[0]), args.length > 1 ? args[1] : "floor-" + args[0]);
  }

  /**
   * Starts the app on a port (0: any free port).
   *
   * @param port the port
   * @param instanceId sent as {@code X-Instance-Id}
   * @return the started app (stop it when done)
   */
  static Javalin start(int port, String instanceId) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("floor app port must be 0..65535 but was " + port);
    }
    return Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.jetty.host = "127.0.0.1";
      cfg.jetty.port = port;
      cfg.routes.get("/api/v1/courses/{id}", ctx -> ctx.header("X-Instance-Id", instanceId)
          .contentType("application/json").result(COURSE));
      cfg.routes.get("/health/live", ctx -> ctx.header("X-Instance-Id", instanceId)
          .header("Cache-Control", "no-store").contentType("application/health+json").result(LIVE));
    }).start();
  }
}
