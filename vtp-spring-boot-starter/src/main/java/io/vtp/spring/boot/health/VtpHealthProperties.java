package io.vtp.spring.boot.health;

import io.vtp.health.Criticality;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code vtp.health.*}: the vtp-health registry (background checks, probes read a snapshot) and its Actuator
 * contributors {@code vtpLiveness} and {@code vtpReadiness}.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
@ConfigurationProperties("vtp.health")
public class VtpHealthProperties {

  /** Whether the health registry and its contributors are created. */
  private boolean enabled = true;

  /** The instance id in reports; defaults to INSTANCE_ID or the host name. */
  private String instanceId;

  /** How often every check runs in the background. */
  private Duration interval = Duration.ofSeconds(2);

  /** The default timeout of one check run. */
  private Duration timeout = Duration.ofSeconds(1);

  /** Whether a failing Redis fails readiness (critical) or only degrades it to warn (non-critical). */
  private Criticality redisCriticality = Criticality.NON_CRITICAL;

  /** Whether a failing PostgreSQL (checked when the context has a DataSource) fails readiness. */
  private Criticality postgresCriticality = Criticality.CRITICAL;

  /** Creates the defaults; Spring binds the rest. */
  public VtpHealthProperties() {
  }

  /**
   * Returns whether health is on.
   *
   * @return whether health is on
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets whether health is on.
   *
   * @param enabled whether health is on
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Returns the instance id.
   *
   * @return the id; null for the default
   */
  public String getInstanceId() {
    return instanceId;
  }

  /**
   * Sets the instance id.
   *
   * @param instanceId the id; may be null
   */
  public void setInstanceId(String instanceId) {
    this.instanceId = instanceId;
  }

  /**
   * Returns the check interval.
   *
   * @return the interval; null only when bound so
   */
  public Duration getInterval() {
    return interval;
  }

  /**
   * Sets the check interval.
   *
   * @param interval the interval; may be null (then rejected at start-up)
   */
  public void setInterval(Duration interval) {
    this.interval = interval;
  }

  /**
   * Returns the default check timeout.
   *
   * @return the timeout; null only when bound so
   */
  public Duration getTimeout() {
    return timeout;
  }

  /**
   * Sets the default check timeout.
   *
   * @param timeout the timeout; may be null (then rejected at start-up)
   */
  public void setTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * Returns the Redis check's criticality.
   *
   * @return the criticality; null only when bound so
   */
  public Criticality getRedisCriticality() {
    return redisCriticality;
  }

  /**
   * Sets the Redis check's criticality.
   *
   * @param redisCriticality the criticality; may be null (then rejected at start-up)
   */
  public void setRedisCriticality(Criticality redisCriticality) {
    this.redisCriticality = redisCriticality;
  }

  /**
   * Returns the PostgreSQL check's criticality.
   *
   * @return the criticality; null only when bound so
   */
  public Criticality getPostgresCriticality() {
    return postgresCriticality;
  }

  /**
   * Sets the PostgreSQL check's criticality.
   *
   * @param postgresCriticality the criticality; may be null (then rejected at start-up)
   */
  public void setPostgresCriticality(Criticality postgresCriticality) {
    this.postgresCriticality = postgresCriticality;
  }
}
