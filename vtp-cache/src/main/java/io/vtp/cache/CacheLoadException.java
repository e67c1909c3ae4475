package io.vtp.cache;

/**
 * A loader threw a checked exception; the cause is that exception. Unchecked loader exceptions reach the caller
 * unwrapped.
 */
public class CacheLoadException extends CacheException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message which cache and key (hashed when it is not a safe key)
   * @param cause the loader's exception
   */
  public CacheLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
