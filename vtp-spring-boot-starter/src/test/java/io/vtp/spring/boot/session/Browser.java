package io.vtp.spring.boot.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real HTTP client that keeps one {@code SESSION} cookie by hand (so a test can replay an old one). */
final class Browser {
  private static final Pattern SESSION = Pattern.compile("SESSION=([^;]*)");
  private static final Pattern CSRF_INPUT = Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"");
  private static final Pattern CSRF_TEXT = Pattern.compile("csrf=(\\S+)");
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();
  /** The session id (decoded from the cookie), or null. */
  String session;

  HttpResponse<String> get(int port, String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET());
  }

  HttpResponse<String> post(int port, String path, String form) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)));
  }

  /** Opens the login page, then posts the form with its CSRF token; returns the login answer. */
  HttpResponse<String> login(int port, String user, String password) {
    HttpResponse<String> page = get(port, "/login");
    assertThat(page.statusCode()).isEqualTo(200);
    Matcher m = CSRF_INPUT.matcher(page.body());
    assertThat(m.find()).as("CSRF field on the login page").isTrue();
    return post(port, "/login", "username=" + enc(user) + "&password=" + enc(password) + "&_csrf=" + enc(m.group(1)));
  }

  /** Logs out with the CSRF token that {@code /me} hands out. */
  HttpResponse<String> logout(int port) {
    HttpResponse<String> me = get(port, "/me");
    assertThat(me.statusCode()).isEqualTo(200);
    Matcher m = CSRF_TEXT.matcher(me.body());
    assertThat(m.find()).isTrue();
    return post(port, "/logout", "_csrf=" + enc(m.group(1)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    if (session != null) {
      request.header("Cookie", "SESSION="
          + Base64.getEncoder().encodeToString(session.getBytes(StandardCharsets.US_ASCII)));
    }
    try {
      HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      for (String cookie : response.headers().allValues("Set-Cookie")) {
        Matcher m = SESSION.matcher(cookie);
        if (m.lookingAt()) {
          // Spring Session's cookie carries the id base64-encoded.
          session = m.group(1).isEmpty() ? null
              : new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.US_ASCII);
        }
      }
      return response;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
