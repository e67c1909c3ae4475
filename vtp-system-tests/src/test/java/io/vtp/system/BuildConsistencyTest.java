package io.vtp.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What a consumer imports agrees with what the build uses. */
class BuildConsistencyTest {
  private static final Path ROOT = Deployment.repoRoot();
  private static final List<String> PINNED = List.of("jedis.version", "jackson.version", "micrometer.version",
      "hikaricp.version", "postgresql.version", "caffeine.version", "slf4j.version");
  private static final List<String> PUBLISHED = List.of("vtp-redis", "vtp-session", "vtp-ratelimit", "vtp-cache",
      "vtp-health", "vtp-javalin", "vtp-testkit", "vtp-spring-boot-starter");

  @Test
  void bom_pinsTheThirdPartyVersionsTheBuildUses() throws IOException {
    Map<String, String> root = properties(Files.readString(ROOT.resolve("pom.xml")));
    Map<String, String> bom = properties(Files.readString(ROOT.resolve("vtp-bom/pom.xml")));
    for (String property : PINNED) {
      assertThat(bom.get(property)).as("vtp-bom %s", property).isNotNull().isEqualTo(root.get(property));
    }
  }

  @Test
  void bom_listsEveryPublishedModule() throws IOException {
    String bom = Files.readString(ROOT.resolve("vtp-bom/pom.xml"));
    for (String module : PUBLISHED) {
      assertThat(bom).as("vtp-bom lists %s", module).contains("<artifactId>" + module + "</artifactId>");
    }
  }

  @Test
  void readme_showsExactlyTheSnippetsTheExampleCompilesAndRuns() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String section = readme.substring(readme.indexOf("## Use the libraries in your service"),
        readme.indexOf("### Tests with real servers"));
    String source = Files.readString(ROOT.resolve(
        "examples/plain-java-service/src/test/java/com/example/catalog/ReadmeSnippetsTest.java"));
    Map<String, String> regions = new LinkedHashMap<>();
    Matcher tag = Pattern.compile("// tag::(\\w+)\\[\\]\\n(.*?)\\n\\s*// end::\\1\\[\\]", Pattern.DOTALL)
        .matcher(source);
    while (tag.find()) {
      regions.put(tag.group(1), normalize(tag.group(2)));
    }
    assertThat(regions).containsOnlyKeys("redis", "session", "ratelimit", "cache", "roundtrip", "health");
    Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(section);
    List<String> shown = new java.util.ArrayList<>();
    while (block.find()) {
      shown.add(normalize(block.group(1)));
    }
    assertThat(shown).as("the README's java blocks, in order").containsExactlyElementsOf(regions.values());
  }

  /** Strips the common indentation and trailing blank lines. */
  private static String normalize(String code) {
    List<String> lines = code.stripTrailing().lines().toList();
    int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length())
        .min().orElse(0);
    return String.join("\n", lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
  }

  private static Map<String, String> properties(String pom) {
    Map<String, String> out = new LinkedHashMap<>();
    int start = pom.indexOf("<properties>");
    int end = pom.indexOf("</properties>");
    assertThat(start).as("a <properties> block").isNotNegative();
    Matcher m = Pattern.compile("<([a-zA-Z0-9.-]+)>([^<]*)</\\1>").matcher(pom.substring(start, end));
    while (m.find()) {
      out.put(m.group(1), m.group(2).trim());
    }
    return out;
  }
}
