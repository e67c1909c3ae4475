package io.vtp.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code vtp.redis.*}: where the starter's Redis is.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
@ConfigurationProperties("vtp.redis")
public class VtpRedisProperties {

  /** Redis URL: redis://, rediss:// or redis-cluster://host:port,host:port (required). */
  private String url;

  /** Creates empty properties; Spring binds them. */
  public VtpRedisProperties() {
  }

  /**
   * The Redis URL.
   *
   * @return the URL; null when not set
   */
  public String getUrl() {
    return url;
  }

  /**
   * Sets the Redis URL.
   *
   * @param url the URL; may be null
   */
  public void setUrl(String url) {
    this.url = url;
  }
}
