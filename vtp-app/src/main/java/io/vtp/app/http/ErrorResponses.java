package io.vtp.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.HttpResponseException;
import io.vtp.javalin.ProblemException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error as an RFC 9457 problem with the request id: the app's {@link ApiException}, the plugins'
 * {@link ProblemException} (registered after the plugins, so this shape replaces theirs), Javalin's own HTTP
 * errors, 404 and 405, and any other exception as a logged 500 that names no internals.
 */
public final class ErrorResponses {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

  private ErrorResponses() {}

  /**
   * Registers the handlers; call after registering the plugins.
   *
   * @param routes the route config
   * @param json the JSON mapper
   * @param instanceId this instance, for the log
   */
  public static void register(RoutesConfig routes, ObjectMapper json, String instanceId) {
    routes.exception(ApiException.class, (e, ctx) -> Problems.write(ctx, json, e));
    routes.exception(ProblemException.class, (e, ctx) -> Problems.write(ctx, json, e));
    routes.exception(HttpResponseException.class, (e, ctx) -> Problems.write(ctx, json, e.getStatus(),
        statusTitle(e.getStatus()), e.getMessage(), List.of()));
    routes.exception(Exception.class, (e, ctx) -> {
      LOG.error("instance={} request={} {} {} failed: {}", instanceId, Requests.requestId(ctx),
          ctx.method(), ctx.path(), e.toString(), e);
      Problems.write(ctx, json, 500, "Internal error", "the request failed; quote request id "
          + Requests.requestId(ctx), List.of());
    });
    routes.error(404, ctx -> {
      if (ctx.result() == null || ctx.result().isEmpty()) {
        Problems.write(ctx, json, 404, "Not found", "no route for " + ctx.method() + " " + ctx.path(), List.of());
      }
    });
    routes.error(405, ctx -> Problems.write(ctx, json, 405, "Method not allowed",
        ctx.method() + " is not allowed on " + ctx.path(), List.of()));
  }

  private static String statusTitle(int status) {
    switch (status) {
      case 400:
        return "Invalid request";
      case 404:
        return "Not found";
      case 405:
        return "Method not allowed";
      case 413:
        return "Payload too large";
      case 415:
        return "Unsupported media type";
      default:
        return status >= 500 ? "Server error" : "Request error";
    }
  }
}
