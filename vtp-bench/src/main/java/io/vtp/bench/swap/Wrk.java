package io.vtp.bench.swap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One bounded {@code wrk} run (fixed connections, fixed duration) with a script that counts every answer that is not
 * {@code 200} (a redirect to the login page included, which {@code wrk} itself would count as a success) and prints
 * one machine-readable summary line.
 */
final class Wrk {
  /**
   * The script: spreads the requests over the session cookies in the file given as its first argument ({@code -}
   * for none) (thread k of n
   * takes every n-th cookie from the k-th, cycling), counts answers other than 200 per thread and prints the summary,
   * latencies in µs.
   */
  static final String SCRIPT = """
      -- Written by io.vtp.bench.swap.Wrk. Arguments: a file of Cookie header values, one a line ("-" for none);
      -- wrk's thread count.
      local threads = {}
      local counter = 1
      function setup(thread)
        thread:set("id", counter)
        counter = counter + 1
        table.insert(threads, thread)
      end
      function init(args)
        bad = 0
        mine = {}
        local n, i = tonumber(args[2]), 0
        for line in io.lines(args[1]) do
          if i % n == id - 1 then table.insert(mine, line) end
          i = i + 1
        end
        if #mine == 0 then error("no cookie for thread " .. id .. " in " .. args[1]) end
        turn = 0
      end
      function request()
        turn = turn % #mine + 1
        if mine[turn] == "-" then return wrk.format(nil, nil, {}) end
        return wrk.format(nil, nil, {["Cookie"] = mine[turn]})
      end
      function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
      function done(summary, latency, requests)
        local b = 0
        for _, t in ipairs(threads) do b = b + t:get("bad") end
        local e = summary.errors
        io.write(string.format("VTP-WRK requests=%d duration_us=%d non200=%d socket_errors=%d p50_us=%d p90_us=%d"
          .. " p99_us=%d max_us=%d\\n", summary.requests, summary.duration, b,
          e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(90),
          latency:percentile(99), latency.max))
      end
      """;

  /** What one run measured. */
  record Result(long requests, double seconds, long non200, long socketErrors, double p50Ms, double p90Ms,
      double p99Ms, double maxMs) {

    /** Returns the requests answered {@code 200}. */
    long answered() {
      return requests - non200 - socketErrors;
    }
  }

  private Wrk() {}

  /**
   * Runs {@code wrk} and waits for it.
   *
   * @param script the script file ({@link #SCRIPT})
   * @param url the URL to load
   * @param cookies the file of {@code Cookie} header values, one a line, {@code -} for none (at least one per thread)
   * @param threads wrk's threads
   * @param connections open connections
   * @param seconds the duration
   * @param log the file wrk's whole output is appended to
   * @return the summary
   * @throws IOException when wrk cannot be started or its output has no summary line
   * @throws InterruptedException when interrupted
   */
  static Result run(Path script, String url, Path cookies, int threads, int connections, int seconds, Path log)
      throws IOException, InterruptedException {
    List<String> cmd = List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--timeout", "5s",
        "-s", script.toString(), url, "--", cookies.toString(), Integer.toString(threads));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("wrk did not end within " + (seconds + 30) + " s: " + url);
    }
    Files.writeString(log, "$ " + String.join(" ", cmd) + "\n" + out + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return parse(out);
  }

  /**
   * Reads the script's summary line.
   *
   * @param output wrk's output
   * @return the summary
   * @throws IOException when the output has no summary line
   */
  static Result parse(String output) throws IOException {
    for (String line : output.split("\r?\n")) {
      if (line.startsWith("VTP-WRK ")) {
        Map<String, Long> v = new HashMap<>();
        for (String field : line.substring(8).trim().split(" ")) {
          int eq = field.indexOf('=');
          v.put(field.substring(0, eq), Long.parseLong(field.substring(eq + 1)));
        }
        return new Result(v.get("requests"), v.get("duration_us") / 1e6, v.get("non200"), v.get("socket_errors"),
            v.get("p50_us") / 1e3, v.get("p90_us") / 1e3, v.get("p99_us") / 1e3, v.get("max_us") / 1e3);
      }
    }
    throw new IOException("wrk printed no summary line (is wrk installed? was the script loaded?):\n" + output);
  }
}
