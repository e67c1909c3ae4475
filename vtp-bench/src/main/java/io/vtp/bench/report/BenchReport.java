package io.vtp.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/**
 * Turns JMH JSON results ({@code -rf json}) into {@code docs/BENCHMARKS.md} and one PNG bar chart per thread count:
 * every contender as ops/s and as a ratio to raw Jedis {@code GET} measured in the same run, plus the issue's
 * targets evaluated from those ratios.
 *
 * <p>Run by {@code bin/bench}: {@code java -cp benchmarks.jar io.vtp.bench.report.BenchReport RESULTS_DIR DOCS_DIR
 * HEADER_FILE}.
 */
public final class BenchReport {
  static final String RAW_GET = "RawGetBenchmark.rawGet";

  /** One result: benchmark (class.method without package), threads, score and error in ops/s. */
  record Result(String benchmark, int threads, double score, double error) {}

  /** A target from the issues: numerator / denominator at a thread count (0 = every count) must be >= min. */
  record Target(String text, String numerator, String denominator, int threads, double min) {}

  static final List<Target> TARGETS = List.of(
      new Target("session find >= 0.9x raw GET", "SessionBenchmark.vtpFind", RAW_GET, 0, 0.9),
      new Target("session find >= 2x Spring Session findById", "SessionBenchmark.vtpFind",
          "SessionBenchmark.springFindById", 0, 2.0),
      new Target("session find+update >= 3x Spring findById+save", "SessionBenchmark.vtpFindThenUpdate",
          "SessionBenchmark.springFindThenSave", 0, 3.0),
      new Target("rate limit decision >= 0.7x raw GET", "RateLimitBenchmark.vtpSpread", RAW_GET, 0, 0.7),
      new Target("rate limit >= 1.6x Bucket4j, spread keys", "RateLimitBenchmark.vtpSpread",
          "RateLimitBenchmark.bucket4jSpread", 0, 1.6),
      new Target("rate limit >= 5x Bucket4j, one hot key, 8 threads", "RateLimitBenchmark.vtpHot",
          "RateLimitBenchmark.bucket4jHot", 8, 5.0),
      new Target("locally denied >= 10x raw GET", "RateLimitBenchmark.vtpLocallyDenied", RAW_GET, 0, 10.0),
      new Target("cache hit >= 0.9x raw GET", "CacheBenchmark.vtpHit", RAW_GET, 0, 0.9),
      new Target("cache L1 hit >= 20x raw GET", "CacheBenchmark.vtpL1Hit", RAW_GET, 0, 20.0));

  private BenchReport() {}

  /**
   * Writes the report.
   *
   * @param args results directory (JMH JSON files), docs directory, and a file with the run's header lines
   * @throws IOException when a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: BenchReport RESULTS_DIR DOCS_DIR HEADER_FILE");
    }
    Path results = Path.of(args[0]);
    Path docs = Path.of(args[1]);
    List<Result> all = new ArrayList<>();
    try (var files = Files.list(results)) {
      for (Path f : (Iterable<Path>) files.sorted()::iterator) {
        if (f.toString().endsWith(".json")) {
          all.addAll(parse(Files.readString(f)));
        }
      }
    }
    Map<Integer, List<Result>> byThreads = new TreeMap<>();
    all.forEach(r -> byThreads.computeIfAbsent(r.threads(), k -> new ArrayList<>()).add(r));
    Files.createDirectories(docs);
    for (Map.Entry<Integer, List<Result>> e : byThreads.entrySet()) {
      chart(e.getValue(), e.getKey(), docs.resolve("bench-t" + e.getKey() + ".png"));
    }
    Files.writeString(docs.resolve("BENCHMARKS.md"), markdown(Files.readString(Path.of(args[2])), byThreads));
  }

  static List<Result> parse(String json) throws IOException {
    List<Result> out = new ArrayList<>();
    for (JsonNode n : new ObjectMapper().readTree(json)) {
      String full = n.path("benchmark").asText();
      String[] parts = full.split("\\.");
      String name = parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : full;
      JsonNode m = n.path("primaryMetric");
      if (!"ops/s".equals(m.path("scoreUnit").asText())) {
        throw new IllegalArgumentException(full + ": expected throughput in ops/s but was " + m.path("scoreUnit"));
      }
      double error = m.path("scoreError").asDouble(Double.NaN);
      out.add(new Result(name, n.path("threads").asInt(), m.path("score").asDouble(), error));
    }
    return out;
  }

  static Map<String, Double> ratios(List<Result> results) {
    double raw = results.stream().filter(r -> r.benchmark().equals(RAW_GET)).mapToDouble(Result::score).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no " + RAW_GET + " in the run: ratios need the floor"));
    Map<String, Double> ratios = new LinkedHashMap<>();
    results.forEach(r -> ratios.put(r.benchmark(), r.score() / raw));
    return ratios;
  }

  static String markdown(String header, Map<Integer, List<Result>> byThreads) {
    StringBuilder sb = new StringBuilder();
    sb.append("# Benchmarks\n\n").append(header.strip()).append("\n\n");
    sb.append("Every contender ran in the same JMH run as the floor, a raw Jedis `GET` through the same pooled ")
        .append("client to the same Redis; read the ratios, not the absolute numbers (absolute timings drift a lot ")
        .append("on this machine, ratios within one run much less).\n\n");
    for (Map.Entry<Integer, List<Result>> e : byThreads.entrySet()) {
      Map<String, Double> ratios = ratios(e.getValue());
      sb.append("## ").append(e.getKey()).append(e.getKey() == 1 ? " thread" : " threads").append("\n\n");
      sb.append("| benchmark | ops/s | ± (99.9 %) | ratio to raw GET |\n|---|---:|---:|---:|\n");
      for (Result r : e.getValue()) {
        sb.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %.2f |%n", r.benchmark(), r.score(),
            Double.isNaN(r.error()) ? "-" : String.format(Locale.ROOT, "%,.0f", r.error()), ratios.get(r.benchmark())));
      }
      sb.append("\n![ratios at ").append(e.getKey()).append(e.getKey() == 1 ? " thread" : " threads").append("](bench-t").append(e.getKey()).append(".png)\n\n");
    }
    sb.append("## Targets, from the ratios above\n\n| target | threads | measured | met |\n|---|---:|---:|---|\n");
    for (Target t : TARGETS) {
      for (Map.Entry<Integer, List<Result>> e : byThreads.entrySet()) {
        if (t.threads() != 0 && t.threads() != e.getKey()) {
          continue;
        }
        Double v = ratio(e.getValue(), t.numerator(), t.denominator());
        sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s |%n", t.text(), e.getKey(),
            v == null ? "not measured" : String.format(Locale.ROOT, "%.2f", v),
            v == null ? "-" : v >= t.min() ? "yes" : "**no**"));
      }
    }
    return sb.toString();
  }

  static Double ratio(List<Result> results, String numerator, String denominator) {
    Double n = null;
    Double d = null;
    for (Result r : results) {
      if (r.benchmark().equals(numerator)) {
        n = r.score();
      }
      if (r.benchmark().equals(denominator)) {
        d = r.score();
      }
    }
    return n == null || d == null || d == 0 ? null : n / d;
  }

  /** Horizontal bars of each contender's ratio to raw GET, on a log scale (0.1x to 1000x). */
  static void chart(List<Result> results, int threads, Path png) throws IOException {
    Map<String, Double> ratios = ratios(results);
    int rowHeight = 26;
    int left = 330;
    int width = 980;
    int height = 70 + rowHeight * ratios.size();
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString("Throughput as a ratio to raw Jedis GET, " + threads + (threads == 1 ? " thread" : " threads")
        + " (log scale)", 12, 22);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    double minLog = -1;
    double maxLog = 3;
    int plotWidth = width - left - 70;
    for (int p = -1; p <= 3; p++) {
      int x = left + (int) ((p - minLog) / (maxLog - minLog) * plotWidth);
      g.setColor(p == 0 ? Color.DARK_GRAY : new Color(220, 220, 220));
      g.setStroke(new BasicStroke(p == 0 ? 2f : 1f));
      g.drawLine(x, 36, x, height - 20);
      g.setColor(Color.GRAY);
      g.drawString(p < 0 ? "0.1x" : (int) Math.pow(10, p) + "x", x - 10, height - 5);
    }
    int y = 44;
    for (Map.Entry<String, Double> e : ratios.entrySet()) {
      double log = Math.max(minLog, Math.min(maxLog, Math.log10(e.getValue())));
      int x0 = left + (int) ((0 - minLog) / (maxLog - minLog) * plotWidth);
      int x1 = left + (int) ((log - minLog) / (maxLog - minLog) * plotWidth);
      String name = e.getKey();
      g.setColor(name.startsWith("RawGet") ? Color.GRAY : name.contains(".vtp") ? new Color(33, 113, 181)
          : new Color(230, 126, 34));
      g.fillRect(Math.min(x0, x1), y, Math.max(2, Math.abs(x1 - x0)), rowHeight - 8);
      g.setColor(Color.BLACK);
      g.drawString(name, 12, y + 13);
      g.drawString(String.format(Locale.ROOT, "%.2fx", e.getValue()), Math.max(x0, x1) + 6, y + 13);
      y += rowHeight;
    }
    g.dispose();
    ImageIO.write(img, "png", png.toFile());
  }
}
