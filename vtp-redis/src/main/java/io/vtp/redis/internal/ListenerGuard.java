package io.vtp.redis.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Calls a user's listener so that it can never break the data path: a listener that throws is logged (with its
 * stack trace, at most once a minute, with the count held back) and the caller goes on. The listener's own state is
 * its business; this only keeps its exceptions out of ours.
 *
 * <p>Thread-safe when the listener is.
 *
 * @param <L> the listener type
 */
public final class ListenerGuard<L> {
  private final L listener;
  private final String owner;
  private final Logger log;
  private final ThrottledLog throttle;

  /**
   * Guards a listener.
   *
   * @param listener the user's listener
   * @param owner how log lines name the component, e.g. {@code session store 'web'}
   * @param log where failures are logged
   * @param clock the time source of the log throttle
   * @throws NullPointerException when an argument is null
   */
  public ListenerGuard(L listener, String owner, Logger log, Clock clock) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.owner = Objects.requireNonNull(owner, "owner");
    this.log = Objects.requireNonNull(log, "log");
    this.throttle = new ThrottledLog(log, clock, Duration.ofMinutes(1));
  }

  /**
   * Returns the guarded listener, for callers on a hot path that call it directly and report a failure with
   * {@link #failed(RuntimeException)} (no lambda per call).
   *
   * @return the listener; never {@code null}
   */
  public L listener() {
    return listener;
  }

  /**
   * Delivers an event; a {@link RuntimeException} from the listener is logged and swallowed.
   *
   * @param event calls one listener method
   */
  public void fire(Consumer<? super L> event) {
    try {
      event.accept(listener);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  /**
   * Logs a listener's failure (throttled); never throws.
   *
   * @param e what the listener threw
   */
  public void failed(RuntimeException e) {
    long held = throttle.tryAcquire();
    if (held >= 0) {
      log.warn("{}: listener {} threw; ignored ({} similar failures held back since the last report)", owner,
          listener.getClass().getName(), held, e);
    }
  }
}
