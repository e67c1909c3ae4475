/**
 * Plumbing the VTP Scale modules share: a circuit breaker, a throttled log, a key hasher and name checks.
 *
 * <p>Not API: these classes serve {@code vtp-session}, {@code vtp-ratelimit} and {@code vtp-cache} and may change
 * in any release. The module descriptor exports this package to those modules only.
 */
package io.vtp.redis.internal;
