package io.vtp.cache;

/** A class a poisoned entry names; it must never be loaded or instantiated by the cache. */
public class Poison {
  static {
    PoisonCanary.INITIALISED.incrementAndGet();
  }

  /** Counts instantiations. */
  public Poison() {
    PoisonCanary.CREATED.incrementAndGet();
  }
}
