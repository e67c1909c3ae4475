package io.vtp.cache;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts what {@link Poison} saw, without touching {@link Poison} itself. */
final class PoisonCanary {
  static final AtomicInteger INITIALISED = new AtomicInteger();
  static final AtomicInteger CREATED = new AtomicInteger();

  private PoisonCanary() {}
}
