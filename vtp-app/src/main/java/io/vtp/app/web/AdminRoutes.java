package io.vtp.app.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.vtp.app.auth.AuthService;
import io.vtp.app.auth.Principal;
import io.vtp.app.http.ApiException;
import io.vtp.app.http.JsonBodies;
import java.util.regex.Pattern;

/**
 * {@code /api/v1/admin/*}, for admins only: {@code PUT /api/v1/admin/users/{id}/role} with {@code {"role":"teacher"}}
 * grants a role (self-registration creates only the roles in {@code SELF_REGISTER_ROLES}). The change ends every
 * session of that user at once and closes their WebSockets on every instance, so the new role applies from their
 * next login and no live session keeps the old one.
 */
public final class AdminRoutes {
  private static final Pattern DIGITS = Pattern.compile("[1-9][0-9]{0,17}");

  private final AuthService auth;
  private final Guard guard;
  private final ObjectMapper json;

  /**
   * Creates the routes.
   *
   * @param auth the auth service
   * @param guard authentication and API limits
   * @param json the JSON mapper
   */
  public AdminRoutes(AuthService auth, Guard guard, ObjectMapper json) {
    this.auth = auth;
    this.guard = guard;
    this.json = json;
  }

  /** A role change body. */
  public record RoleRequest(String role) {}

  /**
   * Registers the routes.
   *
   * @param routes the route config
   */
  public void register(RoutesConfig routes) {
    routes.put("/api/v1/admin/users/{id}/role", this::changeRole);
  }

  private void changeRole(Context ctx) {
    Principal p = guard.requireUser(ctx);
    if (!p.isAdmin()) {
      throw ApiException.forbidden("only admins can change roles");
    }
    String raw = ctx.pathParam("id");
    if (!DIGITS.matcher(raw).matches()) {
      throw ApiException.badRequest("id", "must be a positive whole number");
    }
    long id = Long.parseLong(raw);
    RoleRequest r = JsonBodies.read(json, ctx.bodyAsBytes(), RoleRequest.class);
    ctx.json(auth.changeRole(id, r.role())
        .orElseThrow(() -> ApiException.notFound("user " + id + " does not exist")));
  }
}
