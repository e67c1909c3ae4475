package io.vtp.cache;

import java.util.random.RandomGenerator;

/** A "random" generator whose nextDouble is a fixed value. */
final class FixedRandom implements RandomGenerator {
  private volatile double value;

  FixedRandom(double value) {
    this.value = value;
  }

  void set(double value) {
    this.value = value;
  }

  @Override
  public long nextLong() {
    return (long) (value * Long.MAX_VALUE);
  }

  @Override
  public double nextDouble() {
    return value;
  }
}
