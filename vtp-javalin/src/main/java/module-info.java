/**
 * VTP Scale Javalin plugins ({@code io.vtp.javalin}): sessions, rate limits, health, request metrics and the client
 * address behind trusted proxies for Javalin 7. {@code MetricsPlugin} needs {@code micrometer-core} (optional).
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.vtp.javalin {
  requires transitive io.javalin;
  requires transitive io.vtp.session;
  requires transitive io.vtp.ratelimit;
  requires transitive io.vtp.health;
  requires static transitive micrometer.core;

  exports io.vtp.javalin;
}
