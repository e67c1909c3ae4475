package io.vtp.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * The base of every VTP Scale exception that means "the backend (Redis, PostgreSQL) failed or did not answer in
 * time": down, hung, timed out, {@code CLUSTERDOWN}, no free pooled connection. Each module throws its own subclass
 * (for example {@code SessionStoreUnavailableException}); catch this type to map all of them at once, typically to
 * {@code 503 Service Unavailable} with {@code Retry-After}. It is never the caller's mistake: misuse is a
 * {@link NullPointerException} or an {@link IllegalArgumentException}.
 *
 * <p>The message and the accessors give the operational context: which component and instance, which operation,
 * how long it ran, and the cause's class and message. They never contain a secret, a session id, a user id or a
 * key.
 *
 * <p>Immutable and thread-safe.
 */
public class BackendUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The component kind, e.g. {@code session store}. */
  private final String component;
  /** The component instance's name, e.g. {@code web}. */
  private final String instance;
  /** The operation that failed, e.g. {@code find}. */
  private final String operation;
  /** How long the operation ran before it failed. */
  private final Duration elapsed;

  /**
   * Creates the exception; the message reads {@code <component> '<instance>': <operation> failed after <n> ms:
   * <cause class>: <cause message>}.
   *
   * @param component the component kind, e.g. {@code session store}
   * @param instance the component instance's name
   * @param operation the operation, e.g. {@code find}
   * @param elapsed how long it ran
   * @param cause the client's exception, or {@code null}
   * @throws NullPointerException when {@code component}, {@code instance}, {@code operation} or {@code elapsed} is
   *     null
   */
  public BackendUnavailableException(String component, String instance, String operation, Duration elapsed,
      Throwable cause) {
    super(Objects.requireNonNull(component, "component") + " '" + Objects.requireNonNull(instance, "instance")
        + "': " + Objects.requireNonNull(operation, "operation") + " failed after "
        + Objects.requireNonNull(elapsed, "elapsed").toMillis() + " ms: " + describe(cause), cause);
    this.component = component;
    this.instance = instance;
    this.operation = operation;
    this.elapsed = elapsed;
  }

  /**
   * Creates the exception with a module's own explanation instead of the cause's; the message reads
   * {@code <component> '<instance>': <operation> failed after <n> ms: <detail>}. For subclasses whose failure is
   * a state of the component rather than one client exception (for example the cache's full outage bypass).
   *
   * @param component the component kind, e.g. {@code cache}
   * @param instance the component instance's name
   * @param operation the operation, e.g. {@code get}
   * @param elapsed how long it ran
   * @param detail what happened and how to fix it; never a secret, session id, user id or key
   * @param cause the client's exception, or {@code null}
   * @throws NullPointerException when {@code component}, {@code instance}, {@code operation}, {@code elapsed} or
   *     {@code detail} is null
   */
  protected BackendUnavailableException(String component, String instance, String operation, Duration elapsed,
      String detail, Throwable cause) {
    super(Objects.requireNonNull(component, "component") + " '" + Objects.requireNonNull(instance, "instance")
        + "': " + Objects.requireNonNull(operation, "operation") + " failed after "
        + Objects.requireNonNull(elapsed, "elapsed").toMillis() + " ms: " + Objects.requireNonNull(detail, "detail"),
        cause);
    this.component = component;
    this.instance = instance;
    this.operation = operation;
    this.elapsed = elapsed;
  }

  /**
   * Returns the component kind.
   *
   * @return e.g. {@code session store}; never {@code null}
   */
  public String component() {
    return component;
  }

  /**
   * Returns the component instance's name.
   *
   * @return e.g. {@code web}; never {@code null}
   */
  public String instance() {
    return instance;
  }

  /**
   * Returns the operation that failed.
   *
   * @return e.g. {@code find}; never {@code null}
   */
  public String operation() {
    return operation;
  }

  /**
   * Returns how long the operation ran before it failed.
   *
   * @return the duration; never {@code null}
   */
  public Duration elapsed() {
    return elapsed;
  }

  private static String describe(Throwable cause) {
    if (cause == null) {
      return "no cause";
    }
    return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
  }
}
