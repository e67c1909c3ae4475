package io.vtp.session.internal;

import io.vtp.session.SessionStoreListener;
import java.time.Clock;
import java.time.Duration;

/**
 * The validated configuration of a Redis session store (validation happens in the public builder).
 *
 * @param name the store's name
 * @param keyPrefix prefix of every key
 * @param idleTimeout idle timeout
 * @param absoluteLifetime absolute lifetime
 * @param touchThreshold minimum time between two slides by find
 * @param maxSessionsPerUser maximum live sessions per user, 0 for unlimited
 * @param maxAttributesBytes cap on the attributes' JSON size
 * @param maxUpdateAttempts attempts before an update gives up
 * @param clock the clock
 * @param listener the listener
 * @param idHasher names sessions in Redis: plain SHA-256, or HMAC-SHA256 under the configured keys
 * @param replicaAcks replicas that must confirm create, rotate, delete and delete-all ({@code WAIT}), 0 for none
 * @param replicaAckTimeout how long to wait for them; ignored when {@code replicaAcks} is 0
 */
public record StoreConfig(String name, String keyPrefix, Duration idleTimeout, Duration absoluteLifetime,
    Duration touchThreshold, int maxSessionsPerUser, int maxAttributesBytes, int maxUpdateAttempts, Clock clock,
    SessionStoreListener listener, IdHasher idHasher, int replicaAcks, Duration replicaAckTimeout) {

  @Override
  public String toString() {
    return "session store '" + name + "' [keyPrefix=" + keyPrefix + ", idleTimeout=" + idleTimeout
        + ", absoluteLifetime=" + absoluteLifetime + ", touchThreshold=" + touchThreshold + ", maxSessionsPerUser="
        + (maxSessionsPerUser == 0 ? "unlimited" : Integer.toString(maxSessionsPerUser)) + ", maxAttributesBytes="
        + maxAttributesBytes + ", maxUpdateAttempts=" + maxUpdateAttempts + ", replicaAcknowledgement="
        + (replicaAcks == 0 ? "off" : replicaAcks + " within " + replicaAckTimeout) + ", idHashKey="
        + (!idHasher.keyed() ? "none (plain SHA-256)" : idHasher.hasPrevious() ? "set, with previous keys" : "set")
        + "]";
  }
}
