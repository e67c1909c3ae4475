package io.vtp.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page (issue 20) in a real browser against the real local deployment with 3 instances: Debian's
 * {@code chromium} driven headless through its {@code chromedriver} (both installed by {@code bin/test}), two
 * browser sessions (a teacher through nginx at desktop width, a student straight to another backend at a phone's
 * width, so their room sockets are on different instances). One deployment, the whole story in order: the page's
 * strict CSP through nginx, sign-in by keyboard, a course created and seen by both, a room conversation relayed
 * across instances, the teacher's socket instance SIGKILLed (the page reconnects, the next message arrives, the
 * fleet panel shows the dead instance), sign-out closing the socket, and a burst answered by the friendly 429. A
 * screenshot of each step goes to {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPageIT {
  private static final String CHROMIUM = "/usr/bin/chromium";
  private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Path SHOTS = Path.of("target", "screenshots");
  private static final String TEACHER = "Tess Teacher";
  private static final String STUDENT = "Sam Student";
  private static Deployment d;
  private static ChromeDriver teacher;
  private static ChromeDriver student;
  private static final List<String> consoleErrors = new ArrayList<>();
  private static final List<Path> profiles = new ArrayList<>();
  private static String course;
  private static String teacherSocket;
  private static String studentInstance;

  @BeforeAll
  static void up() throws Exception {
    for (String f : new String[] {CHROMIUM, CHROMEDRIVER}) {
      assertThat(Files.isExecutable(Path.of(f))).as("%s is missing: install Debian's chromium and chromium-driver "
          + "(bin/test does: apt-get install chromium chromium-driver)", f).isTrue();
    }
    Files.createDirectories(SHOTS);
    d = new Deployment(Files.createTempDirectory("vtp-webpage-it-"), 31800);
    // The README's limits (the page shows them, and the last step runs into them), not the load tests' lifted ones.
    d.env.put("VTP_API_LIMIT", "100");
    d.env.remove("VTP_EDGE_API_RATE");
    d.env.remove("VTP_EDGE_API_BURST");
    assertThat(d.run("up", "--instances", "3")).contains("VTP Scale is up").contains("backend-3");
  }

  @AfterAll
  static void down() throws Exception {
    for (WebDriver b : new WebDriver[] {teacher, student}) {
      if (b != null) {
        b.quit();
      }
    }
    for (Path p : profiles) {
      try (var files = Files.walk(p)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
    if (d != null) {
      d.run("down");
    }
  }

  @Test
  @Order(1)
  void page_throughNginx_keepsTheStrictPolicy_andHasNothingInline() throws Exception {
    HttpResponse<String> page = get(d.url("/"));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    List<String> csp = page.headers().allValues("Content-Security-Policy");
    assertThat(csp).as("exactly one policy (nginx replaces the backend's)").hasSize(1);
    assertThat(csp.get(0)).contains("default-src 'none'", "script-src 'self'", "style-src 'self'",
        "connect-src 'self'", "frame-ancestors 'none'").doesNotContain("unsafe-inline", "unsafe-eval", "*", "data:");
    String html = page.body();
    // No inline script bodies, no inline styles, no inline event handlers: the policy would refuse them anyway.
    assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE).matcher(html).find())
        .as("a <script> without src").isFalse();
    assertThat(Pattern.compile("<script[^>]*>\\s*[^<\\s]", Pattern.CASE_INSENSITIVE).matcher(html).find())
        .as("a <script> with a body").isFalse();
    assertThat(html).doesNotContainIgnoringCase("<style").doesNotContainIgnoringCase(" style=")
        .doesNotContainIgnoringCase("javascript:");
    assertThat(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find())
        .as("an inline event handler attribute").isFalse();
    // Every file the page loads: from this origin, with the same policy.
    Matcher refs = Pattern.compile("(?:src|href)=\"(/app/[^\"]+)\"").matcher(html);
    Set<String> files = new LinkedHashSet<>();
    while (refs.find()) {
      files.add(refs.group(1));
    }
    files.addAll(List.of("/app/api.js", "/app/fleet.js", "/app/room.js"));
    assertThat(files).contains("/app/main.js", "/app/style.css");
    for (String f : files) {
      HttpResponse<String> r = get(d.url(f));
      assertThat(r.statusCode()).as(f).isEqualTo(200);
      assertThat(r.headers().allValues("Content-Security-Policy")).as(f).isEqualTo(csp);
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(f).hasValue("nosniff");
      if (f.endsWith(".js")) {
        assertThat(r.headers().firstValue("Content-Type").orElse("")).as(f).startsWith("text/javascript");
        assertThat(r.body()).as(f).doesNotContain("eval(", "innerHTML", "new Function");
      }
    }
    // The API keeps the strictest policy.
    HttpResponse<String> api = get(d.url("/api/v1/courses"));
    assertThat(api.headers().allValues("Content-Security-Policy"))
        .containsExactly("default-src 'none'; frame-ancestors 'none'");
  }

  @Test
  @Order(2)
  void teacher_signsInByKeyboard_createsACourse_andSeesItFromSeveralInstances() throws Exception {
    teacher = browser(1280, 1300);
    teacher.get(d.url("/"));
    ready(teacher);
    WebElement email = teacher.findElement(By.id("email"));
    email.sendKeys("teacher@vtp.local");
    teacher.findElement(By.id("password")).sendKeys(Faults.PASSWORD, Keys.ENTER);
    waitFor(teacher).until(ExpectedConditions.textToBe(By.id("who"), TEACHER));
    assertThat(teacher.findElement(By.id("signin-form")).isDisplayed()).isFalse();
    waitFor(teacher).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#sessions li")));

    course = "Horizontal scaling, live " + System.currentTimeMillis() % 100000;
    teacher.findElement(By.id("course-title")).sendKeys(course);
    teacher.findElement(By.id("course-description")).sendKeys("Watch the instances take turns.");
    teacher.findElement(By.id("course-create")).click();
    waitFor(teacher).until(ExpectedConditions.textToBe(By.id("detail-title"), course));
    assertThat(courseButton(teacher).isDisplayed()).isTrue();
    // Read it again: the second read comes from the cache, and the answers come from more than one instance.
    Set<String> cache = new LinkedHashSet<>();
    for (int i = 0; i < 4; i++) {
      String reads = teacher.findElement(By.id("course-detail")).getAttribute("data-reads");
      teacher.findElement(By.id("detail-reload")).click();
      waitFor(teacher).until(b -> !reads.equals(b.findElement(By.id("course-detail")).getAttribute("data-reads")));
      cache.add(teacher.findElement(By.cssSelector("#detail-badges .badge.cache")).getText());
    }
    assertThat(cache).contains("cache HIT");
    waitFor(teacher).until(b -> b.findElements(By.cssSelector("#mine .badge.instance")).size() >= 2);
    waitFor(teacher).until(b -> b.findElements(By.cssSelector("#fleet-rows tr[data-status='up']")).size() == 3);
    screenshot(teacher, "01-teacher-created-a-course", null);
  }

  @Test
  @Order(3)
  void teacherAndStudent_onDifferentInstances_seeEachOthersMessagesWithTheRelayingInstance() throws Exception {
    teacher.findElement(By.id("detail-join")).click();
    teacherSocket = waitFor(teacher).until(b -> text(b, "#room-status[data-state='connected'] #room-instance"));
    // The student's browser goes straight to another backend: the page, its API calls and its socket are there.
    int i = teacherSocket.equals("backend-1") ? 2 : 1;
    studentInstance = "backend-" + i;
    student = browser(390, 1400);
    student.get("http://127.0.0.1:" + (d.basePort + i) + "/");
    ready(student);
    student.findElement(By.cssSelector("#demo-list button[data-email='student@vtp.local']")).click();
    student.findElement(By.id("signin")).click();
    waitFor(student).until(ExpectedConditions.textToBe(By.id("who"), STUDENT));
    waitFor(student).until(b -> !b.findElements(By.xpath(courseXpath())).isEmpty());
    courseButton(student).click();
    waitFor(student).until(ExpectedConditions.textToBe(By.id("detail-title"), course));
    waitFor(student).until(ExpectedConditions.elementToBeClickable(By.id("detail-enrol"))).click();
    waitFor(student).until(ExpectedConditions.elementToBeClickable(By.id("detail-join"))).click();
    String studentSocket = waitFor(student).until(b -> text(b, "#room-status[data-state='connected'] #room-instance"));
    assertThat(studentSocket).isEqualTo(studentInstance);

    say(teacher, "Hello from the teacher");
    WebElement got = message(student, "Hello from the teacher");
    assertThat(got.getAttribute("data-relayed-by")).isEqualTo(teacherSocket);
    assertThat(got.getAttribute("data-delivered-by")).isEqualTo(studentInstance);
    say(student, "Hello from the student");
    assertThat(message(teacher, "Hello from the student").getAttribute("data-relayed-by")).isEqualTo(studentInstance);
    waitFor(teacher).until(b -> text(b, "#members").contains(STUDENT));
    waitFor(student).until(b -> text(b, "#members").contains(TEACHER));
    screenshot(teacher, "02-teacher-room", null);
    screenshot(student, "03-student-room-phone-width", "room");
    collectConsoleErrors();
    assertThat(consoleErrors).as("browser console errors before any fault").isEmpty();
  }

  @Test
  @Order(4)
  void killingTheTeachersSocketInstance_thePageReconnects_andTheFleetShowsItDown() throws Exception {
    long pid = d.pid(teacherSocket);
    Faults.signal("KILL", pid);
    assertThat(Faults.awaitExit(pid, Duration.ofSeconds(10))).isTrue();
    String now = waitFor(teacher).until(b -> {
      String s = text(b, "#room-status[data-state='connected'] #room-instance");
      return s != null && !s.equals(teacherSocket) ? s : null;
    });
    say(teacher, "Still here after the kill");
    WebElement got = message(student, "Still here after the kill");
    assertThat(got.getAttribute("data-relayed-by")).isEqualTo(now);
    waitFor(teacher).until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#fleet-rows tr[data-instance='" + teacherSocket + "'][data-status='down']")));
    waitFor(student).until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#fleet-rows tr[data-instance='" + teacherSocket + "'][data-status='down']")));
    assertThat(text(teacher, "#messages")).contains("Connection to " + teacherSocket + " lost");
    screenshot(teacher, "04-teacher-after-kill", null);
    screenshot(student, "05-student-after-kill-phone-width", "room");
  }

  @Test
  @Order(5)
  void signOut_closesTheSocket_andReturnsToTheSignInView() throws Exception {
    teacher.findElement(By.id("signout")).click();
    waitFor(teacher).until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-form")));
    assertThat(teacher.findElement(By.id("signed-in")).isDisplayed()).isFalse();
    assertThat(teacher.findElement(By.id("room-status")).getAttribute("data-state")).isEqualTo("idle");
    assertThat(teacher.findElement(By.id("message")).isEnabled()).isFalse();
    // The server saw the socket close: the student's room says the teacher left.
    waitFor(student).until(b -> !text(b, "#members").contains(TEACHER));
    screenshot(teacher, "06-teacher-signed-out", null);
  }

  @Test
  @Order(6)
  void aBurst_isAnsweredWithTheFriendly429AndTheWait() throws Exception {
    teacher.findElement(By.id("burst")).click();
    waitFor(teacher).until(ExpectedConditions.textMatches(By.id("burst-result"), Pattern.compile("refused with 429")));
    WebElement notice = teacher.findElement(By.id("notice"));
    assertThat(notice.isDisplayed()).isTrue();
    assertThat(notice.getAttribute("data-kind")).isEqualTo("rate-limit");
    assertThat(notice.getText()).containsPattern("You can continue in \\d+ s");
    screenshot(teacher, "07-teacher-rate-limited", null);
    collectConsoleErrors();
    // After the faults, only the browser's own reports of refused requests and dropped sockets, never a script error.
    assertThat(consoleErrors).as("script errors in the browser console")
        .allMatch(e -> e.contains("Failed to load resource") || e.contains("WebSocket connection to"));
  }

  // ---------------------------------------------------------------- helpers

  private static ChromeDriver browser(int width, int height) throws IOException {
    Path profile = Files.createTempDirectory("vtp-chromium-");
    profiles.add(profile);
    ChromeOptions options = new ChromeOptions();
    // Debian's browser and driver, named explicitly: Selenium Manager never downloads anything.
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile,
        "--window-size=" + width + "," + height);
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
    ChromeDriver b = new ChromeDriver(service, options);
    b.manage().window().setSize(new Dimension(width, height));
    return b;
  }

  private static void ready(WebDriver b) {
    waitFor(b).until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));
  }

  private static WebDriverWait waitFor(WebDriver b) {
    // The page re-renders what it shows (the fleet table every 2 s, the room's status on every event): an element
    // found a moment ago may be gone when it is read, which is "not yet", not a failure.
    WebDriverWait wait = new WebDriverWait(b, WAIT, Duration.ofMillis(100));
    wait.ignoring(StaleElementReferenceException.class);
    return wait;
  }

  private static String courseXpath() {
    return "//ul[@id='course-list']//button[normalize-space()='" + course + "']";
  }

  private static WebElement courseButton(WebDriver b) {
    return b.findElement(By.xpath(courseXpath()));
  }

  /** The text of the first element matching the selector, or null. */
  private static String text(WebDriver b, String css) {
    List<WebElement> found = b.findElements(By.cssSelector(css));
    return found.isEmpty() ? null : found.get(0).getText();
  }

  private static void say(WebDriver b, String message) {
    WebElement input = waitFor(b).until(ExpectedConditions.elementToBeClickable(By.id("message")));
    input.sendKeys(message, Keys.ENTER);
  }

  private static WebElement message(WebDriver b, String text) {
    return waitFor(b).until(ExpectedConditions.presenceOfElementLocated(
        By.xpath("//ol[@id='messages']/li[contains(@class,'message')][contains(., '" + text + "')]")));
  }

  private static void collectConsoleErrors() {
    for (WebDriver b : new WebDriver[] {teacher, student}) {
      if (b == null) {
        continue;
      }
      for (LogEntry e : b.manage().logs().get(LogType.BROWSER)) {
        if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
          consoleErrors.add(e.getMessage());
        }
      }
    }
  }

  /** Saves what the browser shows, scrolled to the element with the given id (or to the top when null). */
  private static void screenshot(WebDriver b, String name, String scrollTo) throws IOException {
    ((JavascriptExecutor) b).executeScript(scrollTo == null ? "window.scrollTo(0, 0)"
        : "document.getElementById(arguments[0]).scrollIntoView({block: 'start'})", scrollTo);
    byte[] png = ((TakesScreenshot) b).getScreenshotAs(OutputType.BYTES);
    Files.write(SHOTS.resolve(name + ".png"), png);
  }

  private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return Faults.HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
