package io.vtp.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The soak's resource curves: every 5 s the fleet's totals of resident memory, threads and open files (from
 * {@code /proc} of every backend), PostgreSQL client connections ({@code pg_stat_activity}) and Redis clients
 * ({@code INFO clients} of the session Redis). It judges them flat by the least-squares slope of the last sample
 * before each fault (30 s after the previous fault's recovery; for runs of 6 minutes or more only the second half,
 * past the JIT's and the pools' warm-up), and draws them as an SVG chart with the faults marked.
 */
final class SoakSampler {
  private static final long PERIOD_MS = 5_000;
  /** The metrics, their units and their slope limits per minute (fleet totals). */
  private static final String[] NAMES = {"RSS (MB)", "threads", "open files", "PostgreSQL connections",
      "Redis clients"};
  private static final double[] LIMITS_PER_MINUTE = {64, 10, 30, 3, 3};
  /** The fewest points (one before each fault, one at the end: a run of 6 minutes) whose slope is judged. */
  private static final int MIN_JUDGED_POINTS = 7;
  static final String LIMITS = "flat resource curves (runs of 6 minutes or more): least-squares slope of the fleet's "
      + "totals sampled before each fault, second half, at most +64 MB RSS, +10 threads, +30 open files, "
      + "+3 PostgreSQL connections, +3 Redis clients per minute";

  /** One sample: minutes since the start, then the metrics in {@link #NAMES} order (NaN when unreadable). */
  record Sample(double minute, double[] values) {}

  /** Whether every curve is flat, and each slope. */
  record Verdict(boolean flat, String summary) {}

  private final Deployment d;
  private final Faults f;
  private final int instances;
  private final long start = System.nanoTime();
  private final List<Sample> samples = new ArrayList<>();
  private final List<Sample> beforeFaults = new ArrayList<>();
  private final List<String> marks = new ArrayList<>();
  private final List<Double> markMinutes = new ArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  private SoakSampler(Deployment d, Faults f, int instances) {
    this.d = d;
    this.f = f;
    this.instances = instances;
    this.thread = new Thread(this::loop, "soak-sampler");
    thread.setDaemon(true);
  }

  static SoakSampler start(Deployment d, Faults f, int instances) {
    SoakSampler s = new SoakSampler(d, f, instances);
    s.thread.start();
    return s;
  }

  /** Takes a sample now (the curve's point before a fault) and marks the fault on the chart. */
  void mark(String fault) {
    Sample now = sample();
    synchronized (this) {
      samples.add(now);
      beforeFaults.add(now);
      marks.add(fault);
      markMinutes.add(now.minute());
    }
  }

  private void loop() {
    while (running) {
      Sample s = sample();
      synchronized (this) {
        samples.add(s);
      }
      try {
        Thread.sleep(PERIOD_MS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private Sample sample() {
    double[] v = new double[NAMES.length];
    double rssKb = 0;
    double threads = 0;
    double files = 0;
    boolean complete = true;
    for (int i = 1; i <= instances; i++) {
      try {
        long pid = d.pid("backend-" + i);
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            rssKb += Double.parseDouble(line.replaceAll("[^0-9]", ""));
          } else if (line.startsWith("Threads:")) {
            threads += Double.parseDouble(line.replaceAll("[^0-9]", ""));
          }
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
          files += fds.count();
        }
      } catch (IOException | RuntimeException e) {
        complete = false; // an instance restarting: this sample has no fleet total
      }
    }
    v[0] = complete ? rssKb / 1024 : Double.NaN;
    v[1] = complete ? threads : Double.NaN;
    v[2] = complete ? files : Double.NaN;
    try {
      v[3] = Double.parseDouble(f.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'vtp' AND "
          + "backend_type = 'client backend'").trim());
    } catch (Exception e) {
      v[3] = Double.NaN;
    }
    try {
      String info = ReliabilityRedisTopologiesIT.deploymentCli(d, Integer.parseInt(d.env.get("VTP_REDIS_PORT")),
          "INFO", "clients");
      v[4] = info.lines().filter(l -> l.startsWith("connected_clients:")).findFirst()
          .map(l -> Double.parseDouble(l.substring(l.indexOf(':') + 1).trim())).orElse(Double.NaN);
    } catch (Exception e) {
      v[4] = Double.NaN;
    }
    return new Sample((System.nanoTime() - start) / 60e9, v);
  }

  /** Judges the curves by the slope of the samples taken before each fault (see the class comment). */
  synchronized Verdict judge() {
    List<Sample> points = new ArrayList<>(beforeFaults);
    points.add(sample());
    boolean judged = points.size() >= MIN_JUDGED_POINTS;
    if (judged) {
      points = points.subList(points.size() / 2, points.size());
    }
    // A trend needs points: a short run's few samples sit between restarts (a JVM a minute old has fewer threads
    // and less RSS than one three minutes old), so its slopes are reported but not judged.
    boolean flat = true;
    StringBuilder summary = new StringBuilder();
    for (int m = 0; m < NAMES.length; m++) {
      double slope = slope(points, m);
      boolean ok = !judged || !Double.isNaN(slope) && slope <= LIMITS_PER_MINUTE[m];
      flat &= ok;
      summary.append(NAMES[m]).append(String.format(Locale.ROOT, " %+.1f/min", slope))
          .append(ok ? "" : " (OVER " + LIMITS_PER_MINUTE[m] + ")").append(", ");
    }
    summary.setLength(summary.length() - 2);
    summary.append(" over ").append(points.size()).append(" points")
        .append(judged ? "" : " (not judged: fewer than " + MIN_JUDGED_POINTS + ")");
    return new Verdict(flat, summary.toString());
  }

  /** Least-squares slope per minute of metric m over the points where it was readable; NaN with fewer than 2. */
  static double slope(List<Sample> points, int m) {
    double n = 0;
    double sx = 0;
    double sy = 0;
    double sxx = 0;
    double sxy = 0;
    for (Sample p : points) {
      double y = p.values()[m];
      if (Double.isNaN(y)) {
        continue;
      }
      n++;
      sx += p.minute();
      sy += y;
      sxx += p.minute() * p.minute();
      sxy += p.minute() * y;
    }
    double denominator = n * sxx - sx * sx;
    return n < 2 || denominator == 0 ? Double.NaN : (n * sxy - sx * sy) / denominator;
  }

  /** Draws one panel per metric, the faults as vertical lines, into an SVG file. */
  synchronized void writeChart(Path file) throws IOException {
    int width = 900;
    int panel = 110;
    int left = 170;
    int right = 20;
    double maxMinute = samples.isEmpty() ? 1 : Math.max(1, samples.get(samples.size() - 1).minute());
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "font-family=\"sans-serif\" font-size=\"12\">\n", width, panel * NAMES.length + 40));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    for (int m = 0; m < NAMES.length; m++) {
      int top = 10 + m * panel;
      int height = panel - 30;
      double min = Double.MAX_VALUE;
      double max = -Double.MAX_VALUE;
      for (Sample s : samples) {
        double y = s.values()[m];
        if (!Double.isNaN(y)) {
          min = Math.min(min, y);
          max = Math.max(max, y);
        }
      }
      if (min > max) {
        min = 0;
        max = 1;
      }
      double lo = Math.max(0, min - (max - min) * 0.1 - 1);
      double hi = max + (max - min) * 0.1 + 1;
      svg.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\">%s</text>\n", top + height / 2, NAMES[m]));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>\n",
          left - 5, top + 10, hi));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f</text>\n",
          left - 5, top + height, lo));
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
          + "stroke=\"#999\"/>\n", left, top, width - left - right, height));
      for (int k = 0; k < markMinutes.size(); k++) {
        double x = left + markMinutes.get(k) / maxMinute * (width - left - right);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d33\" "
            + "stroke-dasharray=\"3,3\"><title>%s</title></line>\n", x, top, x, top + height, marks.get(k)));
      }
      StringBuilder line = new StringBuilder();
      for (Sample s : samples) {
        double y = s.values()[m];
        if (Double.isNaN(y)) {
          continue;
        }
        double px = left + s.minute() / maxMinute * (width - left - right);
        double py = top + height - (y - lo) / (hi - lo) * height;
        line.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
      }
      svg.append("<polyline fill=\"none\" stroke=\"#2563eb\" stroke-width=\"1.5\" points=\"").append(line)
          .append("\"/>\n");
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">minutes (%.1f); dashed red lines: faults "
        + "(SIGKILL, rolling restart, Redis restart, PostgreSQL restart, SIGSTOP, in rotation)</text>\n",
        left, panel * NAMES.length + 25, maxMinute));
    svg.append("</svg>\n");
    Files.createDirectories(file.getParent());
    Files.writeString(file, svg.toString(), StandardCharsets.UTF_8);
  }

  /** Stops the thread(s), waiting at most 30 s. */
  void stop() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(TimeUnit.SECONDS.toMillis(30));
  }
}
