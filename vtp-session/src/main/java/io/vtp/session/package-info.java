/**
 * Server-side sessions in Redis for horizontally scaled backends: {@link io.vtp.session.SessionStore}, created
 * with {@link io.vtp.session.RedisSessionStore#builder(redis.clients.jedis.UnifiedJedis)}.
 */
package io.vtp.session;
