/**
 * Javalin 7 plugins over the VTP Scale modules, each configured with a {@code Consumer<Config>} as Javalin's own
 * plugins are: {@link io.vtp.javalin.SessionPlugin} (sessions from the cookie or {@code Authorization: Bearer}),
 * {@link io.vtp.javalin.RateLimitPlugin} (limits per route with IETF headers), {@link io.vtp.javalin.HealthPlugin}
 * ({@code /health}, {@code /health/live}, {@code /health/ready}), {@link io.vtp.javalin.MetricsPlugin}
 * ({@code http.server.requests} and {@code /metrics}) and {@link io.vtp.javalin.ClientAddressPlugin} (the client
 * address behind trusted proxies). Misconfiguration fails when the plugin is created, with a message naming the
 * setting and the rule.
 */
package io.vtp.javalin;
