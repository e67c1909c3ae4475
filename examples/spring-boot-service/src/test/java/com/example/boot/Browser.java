package com.example.boot;

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

/**
 * A real HTTP client keeping the {@code SESSION} cookie by hand, so a test can send it to any instance and replay
 * an old one.
 */
final class Browser {
  private static final Pattern SESSION = Pattern.compile("SESSION=([^;]*)");
  private static final Pattern CSRF_INPUT = Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"");
  private static final Pattern CSRF_TEXT = Pattern.compile("csrf=(\\S+)");
  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();
  /** The session id (Spring Session base64-encodes it in the cookie), or null. */
  String session;

  HttpResponse<String> get(int port, String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET());
  }

  HttpResponse<String> post(int port, String path, String form) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)));
  }

  /** Opens the login page of one instance and posts the form with its CSRF token. */
  HttpResponse<String> login(int port, String user, String password) {
    HttpResponse<String> page = get(port, "/login");
    assertThat(page.statusCode()).isEqualTo(200);
    Matcher m = CSRF_INPUT.matcher(page.body());
    assertThat(m.find()).as("CSRF field on the login page").isTrue();
    return post(port, "/login", "username=" + enc(user) + "&password=" + enc(password) + "&_csrf=" + enc(m.group(1)));
  }

  /** Logs out on one instance, with the CSRF token its account page hands out. */
  HttpResponse<String> logout(int port) {
    HttpResponse<String> account = get(port, "/account");
    assertThat(account.statusCode()).isEqualTo(200);
    Matcher m = CSRF_TEXT.matcher(account.body());
    assertThat(m.find()).isTrue();
    return post(port, "/logout", "_csrf=" + enc(m.group(1)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    if (session != null) {
      request.header("Cookie",
          "SESSION=" + Base64.getEncoder().encodeToString(session.getBytes(StandardCharsets.US_ASCII)));
    }
    try {
      HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      for (String cookie : response.headers().allValues("Set-Cookie")) {
        Matcher m = SESSION.matcher(cookie);
        if (m.lookingAt()) {
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
