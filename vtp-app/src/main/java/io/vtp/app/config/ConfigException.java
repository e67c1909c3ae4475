package io.vtp.app.config;

/** Invalid configuration: the message names the variable and the rule, never a secret's value. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message names the variable and the rule
   */
  public ConfigException(String message) {
    super(message);
  }
}
