package io.vtp.bench.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepSearchTest {
  /** A server that sustains up to {@code capacity} req/s; the trial's result is the rate it ran. */
  private static StepSearch.Outcome<Double> against(StepSearch s, double capacity, List<Double> tried)
      throws InterruptedException {
    return s.run(rate -> {
      tried.add(rate);
      return rate;
    }, rate -> rate <= capacity);
  }

  @Test
  void run_rampsThenBisects_toWithinThePrecisionBelowTheCapacity() throws Exception {
    List<Double> tried = new ArrayList<>();
    StepSearch.Outcome<Double> o = against(new StepSearch(250, 2, 0.1, 10, 25, 20_000), 1234, tried);

    assertThat(tried).startsWith(250.0, 500.0, 1000.0, 2000.0);
    assertThat(o.best()).isLessThanOrEqualTo(1234).isGreaterThanOrEqualTo(1234 / 1.1);
    assertThat(o.lowestFailed()).isGreaterThan(1234);
    assertThat(o.lowestFailed() / o.best()).isLessThanOrEqualTo(1.1);
    assertThat(o.lowerBoundOnly()).isFalse();
    assertThat(o.bestStep().rate()).isEqualTo(o.best());
    assertThat(o.failedStep().passed()).isFalse();
  }

  @Test
  void run_startingAboveTheCapacity_goesDown() throws Exception {
    List<Double> tried = new ArrayList<>();
    StepSearch.Outcome<Double> o = against(new StepSearch(4000, 2, 0.1, 10, 25, 20_000), 700, tried);

    assertThat(tried).startsWith(4000.0, 2000.0, 1000.0, 500.0);
    assertThat(o.best()).isBetween(700 / 1.1, 700.0);
  }

  @Test
  void run_neverFailing_isOnlyALowerBound() throws Exception {
    List<Double> tried = new ArrayList<>();
    StepSearch.Outcome<Double> o = against(new StepSearch(1000, 2, 0.1, 3, 25, 20_000), 1e9, tried);

    assertThat(tried).containsExactly(1000.0, 2000.0, 4000.0);
    assertThat(o.best()).isEqualTo(4000);
    assertThat(o.lowerBoundOnly()).isTrue();
    assertThat(o.failedStep()).isNull();
  }

  @Test
  void run_stopsAtMaxRate() throws Exception {
    List<Double> tried = new ArrayList<>();
    StepSearch.Outcome<Double> o = against(new StepSearch(6000, 2, 0.1, 10, 25, 10_000), 1e9, tried);

    assertThat(tried).containsExactly(6000.0, 10_000.0);
    assertThat(o.lowerBoundOnly()).isTrue();
  }

  @Test
  void run_nothingSustainable_answersZeroAtTheMinimum() throws Exception {
    List<Double> tried = new ArrayList<>();
    StepSearch.Outcome<Double> o = against(new StepSearch(100, 2, 0.1, 10, 25, 20_000), 10, tried);

    assertThat(tried).containsExactly(100.0, 50.0, 25.0);
    assertThat(o.best()).isZero();
    assertThat(o.lowestFailed()).isEqualTo(25);
    assertThat(o.bestStep()).isNull();
  }

  @Test
  void run_neverExceedsMaxSteps() throws Exception {
    List<Double> tried = new ArrayList<>();
    against(new StepSearch(100, 1.1, 0.001, 4, 25, 20_000), 5000, tried);
    assertThat(tried).hasSize(4);
  }

  @Test
  void nice_roundsToTwoSignificantDigits() {
    assertThat(StepSearch.nice(1234)).isEqualTo(1200);
    assertThat(StepSearch.nice(1385)).isEqualTo(1400);
    assertThat(StepSearch.nice(87.6)).isEqualTo(88);
    assertThat(StepSearch.nice(0.2)).isEqualTo(1);
    assertThat(StepSearch.nice(25_490)).isEqualTo(25_000);
  }

  @Test
  void constructor_rejectsNonsense() {
    assertThatThrownBy(() -> new StepSearch(100, 1, 0.1, 5, 25, 1000)).hasMessageContaining("factor > 1");
    assertThatThrownBy(() -> new StepSearch(100, 2, 0.1, 5, 2000, 1000)).hasMessageContaining("minRate <= maxRate");
  }
}
