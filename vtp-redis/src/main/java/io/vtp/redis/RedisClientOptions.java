package io.vtp.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link RedisClients} builds a client: pool size per node, idle connections kept, and finite timeouts.
 *
 * <p>Defaults ({@link #defaults()}): pool 16, min idle 0, connect timeout 2 s, socket (command) timeout 1 s, pool
 * wait 2 s, no client name. Every timeout is finite: a hung Redis costs a caller at most the socket timeout (plus the
 * pool wait when the pool is exhausted), never a hang.
 *
 * <p>Immutable and thread-safe.
 *
 * @param poolSize connections per Redis node, 1 to 10,000
 * @param minIdle idle connections kept per node, 0 to {@code poolSize}
 * @param connectTimeout TCP connect (and TLS handshake) timeout, 1 ms to 1 min
 * @param socketTimeout command timeout, 1 ms to 1 min
 * @param poolWait how long a caller waits for a free pooled connection, 1 ms to 1 min
 * @param clientName the {@code CLIENT SETNAME} value (e.g. the instance id; visible in {@code CLIENT LIST}), or
 *     {@code null} for none; no spaces or newlines
 */
public record RedisClientOptions(int poolSize, int minIdle, Duration connectTimeout, Duration socketTimeout,
    Duration poolWait, String clientName) {
  private static final Duration MAX_TIMEOUT = Duration.ofMinutes(1);

  /**
   * Validates every value.
   *
   * @param poolSize connections per Redis node, 1 to 10,000
   * @param minIdle idle connections kept per node, 0 to {@code poolSize}
   * @param connectTimeout TCP connect (and TLS handshake) timeout, 1 ms to 1 min; not {@code null}
   * @param socketTimeout command timeout, 1 ms to 1 min; not {@code null}
   * @param poolWait how long a caller waits for a free pooled connection, 1 ms to 1 min; not {@code null}
   * @param clientName the {@code CLIENT SETNAME} value, or {@code null} for none
   * @throws NullPointerException when a timeout is null
   * @throws IllegalArgumentException when a value breaks its rule; the message names the field, the value and the
   *     rule
   */
  public RedisClientOptions {
    if (poolSize < 1 || poolSize > 10_000) {
      throw new IllegalArgumentException("redis client: poolSize must be from 1 to 10000 but was " + poolSize);
    }
    if (minIdle < 0 || minIdle > poolSize) {
      throw new IllegalArgumentException("redis client: minIdle must be from 0 to poolSize (" + poolSize
          + ") but was " + minIdle);
    }
    checkTimeout("connectTimeout", connectTimeout);
    checkTimeout("socketTimeout", socketTimeout);
    checkTimeout("poolWait", poolWait);
    if (clientName != null && (clientName.isEmpty() || !clientName.chars().allMatch(c -> c > ' ' && c < 127))) {
      throw new IllegalArgumentException("redis client: clientName must be printable ASCII without spaces but was '"
          + clientName + "'");
    }
  }

  /**
   * Returns the defaults.
   *
   * @return pool 16, min idle 0, connect 2 s, socket 1 s, pool wait 2 s, no client name; never {@code null}
   */
  public static RedisClientOptions defaults() {
    return builder().build();
  }

  /**
   * Starts from the defaults.
   *
   * @return a new builder; never {@code null}
   */
  public static Builder builder() {
    return new Builder();
  }

  private static void checkTimeout(String field, Duration value) {
    Objects.requireNonNull(value, field);
    if (value.isNegative() || value.toMillis() < 1 || value.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException("redis client: " + field + " must be from 1 ms to 1 min but was " + value);
    }
  }

  /**
   * Collects options; {@link #build()} validates them. Setters only store the value (a timeout setter rejects
   * {@code null} with a {@link NullPointerException} naming the parameter). Not thread-safe: configure it on one
   * thread.
   */
  public static final class Builder {
    private int poolSize = 16;
    private int minIdle;
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration socketTimeout = Duration.ofSeconds(1);
    private Duration poolWait = Duration.ofSeconds(2);
    private String clientName;

    private Builder() {}

    /**
     * Sets the connections per node.
     *
     * @param poolSize 1 to 10,000
     * @return this builder
     */
    public Builder poolSize(int poolSize) {
      this.poolSize = poolSize;
      return this;
    }

    /**
     * Sets the idle connections kept per node.
     *
     * @param minIdle 0 to the pool size
     * @return this builder
     */
    public Builder minIdle(int minIdle) {
      this.minIdle = minIdle;
      return this;
    }

    /**
     * Sets the connect timeout.
     *
     * @param timeout 1 ms to 1 min, checked by {@link #build()}; not {@code null}
     * @return this builder
     * @throws NullPointerException when {@code timeout} is {@code null}
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets the command timeout.
     *
     * @param timeout 1 ms to 1 min, checked by {@link #build()}; not {@code null}
     * @return this builder
     * @throws NullPointerException when {@code timeout} is {@code null}
     */
    public Builder socketTimeout(Duration timeout) {
      this.socketTimeout = Objects.requireNonNull(timeout, "socketTimeout");
      return this;
    }

    /**
     * Sets the pool wait.
     *
     * @param timeout 1 ms to 1 min, checked by {@link #build()}; not {@code null}
     * @return this builder
     * @throws NullPointerException when {@code timeout} is {@code null}
     */
    public Builder poolWait(Duration timeout) {
      this.poolWait = Objects.requireNonNull(timeout, "poolWait");
      return this;
    }

    /**
     * Sets the client name.
     *
     * @param clientName printable ASCII without spaces, or {@code null} for none
     * @return this builder
     */
    public Builder clientName(String clientName) {
      this.clientName = clientName;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @return the options; never {@code null}
     * @throws IllegalArgumentException when a value breaks its rule
     */
    public RedisClientOptions build() {
      return new RedisClientOptions(poolSize, minIdle, connectTimeout, socketTimeout, poolWait, clientName);
    }
  }
}
