package io.vtp.bench.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Logs in to the two Spring contenders: the Spring peer (JSON, session id back) and the Boot example (form). */
final class PeerLogins {
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  private PeerLogins() {}

  /**
   * {@code POST /api/v1/auth/login} on the Spring peer.
   *
   * @return the Spring Session id, for {@code X-Auth-Token}
   * @throws IOException when the login does not answer 200 with a token
   */
  static String springPeer(String base, String email, String password) throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/login"))
        .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("email", email,
            "password", password)))).build(), HttpResponse.BodyHandlers.ofString());
    String token = r.statusCode() == 200 ? token(r.body()) : null;
    if (token == null) {
      throw new IOException("login on the Spring peer at " + base + " answered " + r.statusCode() + ": " + r.body()
          + " (see target/bench-system/peers/spring/logs)");
    }
    return token;
  }

  /**
   * Spring Security's form login on {@code examples/spring-boot-service}: the form's CSRF token, the post.
   *
   * @return {@code SESSION=<id>}, for a {@code Cookie} header
   * @throws IOException when the form or the post does not answer as expected
   */
  static String bootExample(String base, String user, String password) throws IOException, InterruptedException {
    CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
    HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER).build();
    HttpResponse<String> form = http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
        .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
    String csrf = form.statusCode() == 200 ? csrf(form.body()) : null;
    if (csrf == null) {
      throw new IOException("GET " + base + "/login answered " + form.statusCode() + " without a CSRF token");
    }
    String body = "username=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
        + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + URLEncoder.encode(csrf,
        StandardCharsets.UTF_8);
    HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
        .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    String location = posted.headers().firstValue("Location").orElse("");
    if (posted.statusCode() != 302 || location.contains("error")) {
      throw new IOException("POST " + base + "/login answered " + posted.statusCode() + " to " + location);
    }
    return cookies.getCookieStore().get(URI.create(base)).stream().filter(c -> c.getName().equals("SESSION"))
        .map(c -> "SESSION=" + c.getValue()).findFirst()
        .orElseThrow(() -> new IOException("no SESSION cookie after logging in on " + base));
  }

  /** The {@code _csrf} hidden field's value in Spring Security's login page, or {@code null}. */
  static String csrf(String html) {
    Matcher m = CSRF.matcher(html);
    return m.find() ? m.group(1) : null;
  }

  /** The {@code token} of a login answer, or {@code null} when there is none. */
  static String token(String json) throws IOException {
    String t = JSON.readTree(json).path("token").asText("");
    return t.isBlank() ? null : t;
  }
}
