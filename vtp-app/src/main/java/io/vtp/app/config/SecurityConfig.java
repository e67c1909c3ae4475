package io.vtp.app.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Account and WebSocket abuse limits, read with the rest of {@link AppConfig}.
 *
 * <table>
 *   <caption>Variables</caption>
 *   <tr><th>Variable</th><th>Default</th><th>Rule</th></tr>
 *   <tr><td>SELF_REGISTER_ROLES</td><td>student</td><td>comma list of student, teacher: the roles
 *       {@code POST /api/v1/auth/register} may create (admins grant others); the local demo sets student,teacher</td></tr>
 *   <tr><td>RATE_LIMIT_REGISTER_PER_MINUTE</td><td>5</td><td>registrations per client address per minute; fails
 *       closed (503) when Redis cannot answer</td></tr>
 *   <tr><td>PASSWORD_HASH_CONCURRENCY</td><td>processors</td><td>1..256 password hashes (register, login) at once;
 *       up to 4 per permit wait at most 2 s, the rest get 503 with Retry-After</td></tr>
 *   <tr><td>LOGIN_FAILURES_BEFORE_BACKOFF</td><td>5</td><td>1..1000 failed logins per account and client address
 *       before that pair backs off (5 s, doubling to 15 min)</td></tr>
 *   <tr><td>SESSION_MAX_PER_USER</td><td>10</td><td>1..1000; a new login ends the user's oldest session</td></tr>
 *   <tr><td>SESSION_REPLICA_ACKS</td><td>0 (off)</td><td>0..16 Redis replicas that must confirm each login, logout and
 *       rotation ({@code WAIT}) before it is answered; too few in time: 503 (the session store's
 *       {@code replicaAcknowledgement})</td></tr>
 *   <tr><td>SESSION_REPLICA_ACK_TIMEOUT</td><td>100ms</td><td>1ms..60s: how long a login or logout waits for
 *       them</td></tr>
 *   <tr><td>WS_MESSAGES_PER_SECOND / WS_MESSAGE_BURST</td><td>20 / 40</td><td>per-connection token bucket;
 *       a client over it is closed with 1008</td></tr>
 *   <tr><td>WS_MAX_CONNECTIONS_PER_USER</td><td>10</td><td>1..1000 room connections per user per instance</td></tr>
 *   <tr><td>WS_REVALIDATE_INTERVAL</td><td>30s</td><td>1s..10m: how often every open socket's session and room
 *       membership are checked again (the backstop when a revocation message is lost)</td></tr>
 * </table>
 *
 * @param selfRegisterRoles roles self-registration may create
 * @param registerLimitPerMinute registrations per client address per minute
 * @param passwordHashConcurrency password hashes at once
 * @param loginFailuresBeforeBackoff failed logins per account and address before back-off
 * @param sessionMaxPerUser sessions per user
 * @param sessionReplicaAcks replicas that must confirm session writes, 0 for none
 * @param sessionReplicaAckTimeout how long session writes wait for them
 * @param wsMessagesPerSecond token bucket refill rate per connection
 * @param wsMessageBurst token bucket capacity per connection
 * @param wsMaxConnectionsPerUser room connections per user per instance
 * @param wsRevalidateInterval how often open sockets are checked again
 */
public record SecurityConfig(
    List<String> selfRegisterRoles,
    int registerLimitPerMinute,
    int passwordHashConcurrency,
    int loginFailuresBeforeBackoff,
    int sessionMaxPerUser,
    int sessionReplicaAcks,
    Duration sessionReplicaAckTimeout,
    int wsMessagesPerSecond,
    int wsMessageBurst,
    int wsMaxConnectionsPerUser,
    Duration wsRevalidateInterval) {

  private static final Set<String> SELF_REGISTERABLE = Set.of("student", "teacher");

  /** Copies the list. */
  public SecurityConfig {
    selfRegisterRoles = List.copyOf(selfRegisterRoles);
  }

  static SecurityConfig read(AppConfig.Reader r) {
    List<String> roles = r.raw("SELF_REGISTER_ROLES") == null ? List.of("student") : r.list("SELF_REGISTER_ROLES");
    if (roles.isEmpty()) {
      throw new ConfigException("SELF_REGISTER_ROLES must list at least one of student, teacher");
    }
    for (String role : roles) {
      if (!SELF_REGISTERABLE.contains(role)) {
        throw new ConfigException("SELF_REGISTER_ROLES entries must be student or teacher (admins are granted, never "
            + "self-registered) but one was '" + role + "'");
      }
    }
    int register = r.intIn("RATE_LIMIT_REGISTER_PER_MINUTE", 5, 1, 1_000_000);
    int hashes = r.intIn("PASSWORD_HASH_CONCURRENCY", Math.max(1, Runtime.getRuntime().availableProcessors()), 1, 256);
    int failures = r.intIn("LOGIN_FAILURES_BEFORE_BACKOFF", 5, 1, 1000);
    int sessions = r.intIn("SESSION_MAX_PER_USER", 10, 1, 1000);
    int replicaAcks = r.intIn("SESSION_REPLICA_ACKS", 0, 0, 16);
    Duration ackTimeout = r.duration("SESSION_REPLICA_ACK_TIMEOUT", Duration.ofMillis(100));
    if (ackTimeout.compareTo(Duration.ofMillis(1)) < 0 || ackTimeout.compareTo(Duration.ofSeconds(60)) > 0) {
      throw new ConfigException("SESSION_REPLICA_ACK_TIMEOUT must be between 1ms and 60s but was " + ackTimeout);
    }
    int rate = r.intIn("WS_MESSAGES_PER_SECOND", 20, 1, 100_000);
    int burst = r.intIn("WS_MESSAGE_BURST", 40, 1, 100_000);
    int conns = r.intIn("WS_MAX_CONNECTIONS_PER_USER", 10, 1, 1000);
    Duration revalidate = r.duration("WS_REVALIDATE_INTERVAL", Duration.ofSeconds(30));
    if (revalidate.compareTo(Duration.ofSeconds(1)) < 0 || revalidate.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new ConfigException("WS_REVALIDATE_INTERVAL must be between 1s and 10m but was " + revalidate);
    }
    return new SecurityConfig(roles, register, hashes, failures, sessions, replicaAcks, ackTimeout, rate, burst, conns, revalidate);
  }

  @Override
  public String toString() {
    return "security[selfRegister=" + selfRegisterRoles + ", register=" + registerLimitPerMinute + "/min, hashes="
        + passwordHashConcurrency + ", loginFailures=" + loginFailuresBeforeBackoff + ", sessions/user="
        + sessionMaxPerUser + ", sessionReplicaAcks="
        + (sessionReplicaAcks == 0 ? "off" : sessionReplicaAcks + " within " + sessionReplicaAckTimeout) + ", ws="
        + wsMessagesPerSecond + "/s burst " + wsMessageBurst + ", ws/user="
        + wsMaxConnectionsPerUser + ", revalidate=" + wsRevalidateInterval + "]";
  }
}
