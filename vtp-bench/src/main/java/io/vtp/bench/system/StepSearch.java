package io.vtp.bench.system;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Finds the highest sustainable rate with a few short steps: from a start rate it multiplies (or divides) by
 * {@code factor} until one step passes and one fails, then bisects (geometrically) between the best passing and
 * the lowest failing rate until they are within {@code precision} of each other or the steps run out.
 *
 * <p>The answer is the best rate that passed; when no step failed it is only a lower bound
 * ({@link Outcome#lowerBoundOnly()}), when none passed it is 0. Rates are rounded to {@link #nice(double)}
 * values so reports read well.
 *
 * @param start the first rate tried, > 0
 * @param factor the ramp's multiplier, > 1
 * @param precision stop bisecting when failing / passing <= 1 + precision, > 0
 * @param maxSteps steps at most, >= 1
 * @param minRate never try below this, > 0
 * @param maxRate never try above this, >= minRate
 */
record StepSearch(double start, double factor, double precision, int maxSteps, double minRate, double maxRate) {
  StepSearch {
    if (!(start > 0) || !(factor > 1) || !(precision > 0) || maxSteps < 1 || !(minRate > 0) || maxRate < minRate) {
      throw new IllegalArgumentException("step search needs start > 0, factor > 1, precision > 0, maxSteps >= 1, "
          + "0 < minRate <= maxRate but was " + start + ", " + factor + ", " + precision + ", " + maxSteps + ", "
          + minRate + ", " + maxRate);
    }
  }

  /** Runs one step at a rate. */
  @FunctionalInterface
  interface Trial<T> {
    T run(double rate) throws InterruptedException;
  }

  /**
   * One step.
   *
   * @param rate the rate tried
   * @param passed whether it was sustainable
   * @param result what the trial returned
   */
  record Step<T>(double rate, boolean passed, T result) {}

  /**
   * The search's answer.
   *
   * @param best the highest rate that passed, 0 when none did
   * @param lowestFailed the lowest rate that failed, 0 when none did
   * @param steps every step in order
   */
  record Outcome<T>(double best, double lowestFailed, List<Step<T>> steps) {
    /** Whether no step failed, so {@link #best()} is only a lower bound (the steps or {@code maxRate} ran out). */
    boolean lowerBoundOnly() {
      return lowestFailed == 0 && best > 0;
    }

    /** The step at the best rate, or {@code null} when none passed. */
    Step<T> bestStep() {
      return steps.stream().filter(s -> s.passed() && s.rate() == best).findFirst().orElse(null);
    }

    /** The step at the lowest failing rate, or {@code null} when none failed. */
    Step<T> failedStep() {
      return steps.stream().filter(s -> !s.passed() && s.rate() == lowestFailed).findFirst().orElse(null);
    }
  }

  /**
   * Searches.
   *
   * @param trial runs a step
   * @param passed judges a step's result
   * @param <T> the trial's result
   * @return the outcome
   * @throws InterruptedException when a trial is interrupted
   */
  <T> Outcome<T> run(Trial<T> trial, Predicate<T> passed) throws InterruptedException {
    Objects.requireNonNull(trial, "trial");
    Objects.requireNonNull(passed, "passed");
    List<Step<T>> steps = new ArrayList<>();
    double best = 0;
    double failed = Double.POSITIVE_INFINITY;
    double rate = clamp(nice(start));
    while (steps.size() < maxSteps) {
      T result = trial.run(rate);
      boolean ok = passed.test(result);
      steps.add(new Step<>(rate, ok, result));
      if (ok) {
        best = Math.max(best, rate);
      } else {
        failed = Math.min(failed, rate);
      }
      double nextRate;
      if (failed == Double.POSITIVE_INFINITY) {
        if (rate >= maxRate) {
          break;
        }
        nextRate = clamp(nice(rate * factor));
      } else if (best == 0) {
        if (rate <= minRate) {
          break;
        }
        nextRate = clamp(nice(rate / factor));
      } else {
        if (failed / best <= 1 + precision) {
          break;
        }
        nextRate = nice(Math.sqrt(best * failed));
      }
      if (nextRate <= best || nextRate >= failed) {
        break; // rounding left nothing between them
      }
      rate = nextRate;
    }
    return new Outcome<>(best, failed == Double.POSITIVE_INFINITY ? 0 : failed, List.copyOf(steps));
  }

  private double clamp(double r) {
    return Math.max(minRate, Math.min(maxRate, r));
  }

  /** Rounds a rate to 2 significant digits (at least to a whole number): 1234 -> 1200, 87.6 -> 88. */
  static double nice(double r) {
    if (r < 100) {
      return Math.max(1, Math.round(r));
    }
    double unit = Math.pow(10, Math.floor(Math.log10(r)) - 1);
    return Math.round(r / unit) * unit;
  }
}
