package io.vtp.system;

import static io.vtp.system.DeploymentManifestsTest.DEPLOY;
import static io.vtp.system.DeploymentManifestsTest.YAML;
import static io.vtp.system.DeploymentManifestsTest.docs;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vtp.app.logging.LogConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The optional traces and log shipping files (deployment/observability for compose, deployment/k8s/observability),
 * checked without Docker or a cluster: the compose overrides name services, volumes and networks the main file has,
 * the backends' OTLP endpoint is a valid tracing configuration that reaches the collector's receiver, the collector
 * exports to Jaeger's OTLP port, Promtail's JSON stage reads fields the app's JSON lines really have, and the
 * Kubernetes objects in the restricted vtp namespace follow its Pod Security rules.
 */
class ObservabilityManifestsTest {
  private static final Path OBS = DEPLOY.resolve("observability");
  private static final Path K8S_OBS = DEPLOY.resolve("k8s/observability");
  /** What io.vtp.app.tracing.Tracing accepts as OTEL_EXPORTER_OTLP_ENDPOINT (cross-checked with its source). */
  private static final String OTLP_URL = "https?://[^\\s/]+(/\\S*)?";

  private static JsonNode mainCompose() throws IOException {
    return docs(DEPLOY.resolve("docker-compose.scaled.yml")).get(0);
  }

  private static JsonNode override(String name) throws IOException {
    return docs(OBS.resolve(name)).get(0);
  }

  @Test
  void composeTracing_backendsExportToTheCollectorWhichExportsToJaeger() throws IOException {
    JsonNode main = mainCompose();
    JsonNode tracing = override("docker-compose.tracing.yml").path("services");
    List<String> backends = new ArrayList<>();
    for (Map.Entry<String, JsonNode> service : main.path("services").properties()) {
      if (service.getKey().matches("backend\\d+")) {
        backends.add(service.getKey());
      }
    }
    assertThat(backends).isNotEmpty();
    for (String b : backends) {
      Map<String, String> env = new HashMap<>();
      main.path("services").path(b).path("environment").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()));
      tracing.path(b).path("environment").properties().forEach(e -> env.put(e.getKey(), e.getValue().asText()
          .replace("${OTEL_TRACES_SAMPLER_ARG:-1.0}", "1.0")));
      assertThat(env.get("OTEL_EXPORTER_OTLP_ENDPOINT")).as(b).isEqualTo("http://otel-collector:4318");
      assertThat(env.get("OTEL_EXPORTER_OTLP_ENDPOINT")).as(b).matches(OTLP_URL);
    }
    assertImagesPinned(tracing);
    for (Map.Entry<String, JsonNode> s : tracing.properties()) {
      if (!s.getKey().matches("backend\\d+")) {
        assertThat(main.path("services").has(s.getKey())).as("new service %s", s.getKey()).isFalse();
        s.getValue().path("networks").forEach(n -> assertThat(main.path("networks").has(n.asText())).isTrue());
      } else {
        assertThat(main.path("services").has(s.getKey())).as("backend %s exists in the main file", s.getKey()).isTrue();
      }
    }
    // The mounted collector configuration: its receiver port is the backends' port, its exporter Jaeger's OTLP port.
    String mount = tracing.path("otel-collector").path("volumes").get(0).asText();
    Path config = DEPLOY.resolve(mount.substring(0, mount.indexOf(':'))).normalize();
    assertThat(config).exists();
    assertCollectorPipeline(docs(config).get(0), 4318, "jaeger:4317");
    assertThat(tracing.path("jaeger").path("environment").path("COLLECTOR_OTLP_ENABLED").asText()).isEqualTo("true");
  }

  @Test
  void composeLogging_promtailReadsFieldsTheAppWritesAndShipsToLoki() throws IOException {
    JsonNode main = mainCompose();
    JsonNode logging = override("docker-compose.logging.yml").path("services");
    assertImagesPinned(logging);
    for (JsonNode v : logging.path("promtail").path("volumes")) {
      String source = v.asText().substring(0, v.asText().indexOf(':'));
      if (source.startsWith("./")) {
        assertThat(DEPLOY.resolve(source).normalize()).exists();
      } else if (!source.startsWith("/")) {
        assertThat(main.path("volumes").has(source)).as("volume %s is declared in the main file", source).isTrue();
      }
    }
    JsonNode promtail = docs(OBS.resolve("promtail.yaml")).get(0);
    URI push = URI.create(promtail.path("clients").get(0).path("url").asText());
    assertThat(logging.has(push.getHost())).as("Loki service %s", push.getHost()).isTrue();
    assertThat(push.getPort()).isEqualTo(3100);
    assertThat(main.path("name").asText()).isEqualTo("vtp-scale");
    assertThat(promtail.toString()).contains("com.docker.compose.project=vtp-scale");

    // The JSON fields Promtail extracts are fields the app's encoder writes into every line.
    String encoder = Files.readString(DeploymentManifestsTest.ROOT.resolve(
        "vtp-app/src/main/java/io/vtp/app/logging/JsonLineEncoder.java"));
    for (JsonNode job : promtail.path("scrape_configs")) {
      if (job.path("job_name").asText().equals("vtp-backends")) {
        job.path("pipeline_stages").get(0).path("json").path("expressions").properties().forEach(
            e -> assertThat(encoder).as("app JSON field %s", e.getValue().asText())
                .contains("\\\"" + e.getValue().asText() + "\\\":"));
      }
    }
    // nginx's access log: the template's JSON log_format has the fields Promtail reads and the correlation ids.
    String template = Files.readString(DEPLOY.resolve("nginx/nginx.conf.template"));
    assertThat(template).contains("log_format vtp escape=json").contains("\"time\":\"$time_iso8601\"")
        .contains("\"request_id\":\"$request_id\"").contains("\"trace_id\":\"$vtp_trace_id\"")
        .contains("\"status\":$status");
    assertThat(Files.readString(DEPLOY.resolve("nginx/locations.inc"))).contains("traceparent $vtp_traceparent");
  }

  @Test
  void otlpUrlPattern_isTheOneTracingAccepts() throws IOException {
    String tracing = Files.readString(DeploymentManifestsTest.ROOT.resolve(
        "vtp-app/src/main/java/io/vtp/app/tracing/Tracing.java"));
    assertThat(tracing).contains("endpoint.matches(\"" + OTLP_URL.replace("\\", "\\\\") + "\")");
  }

  @Test
  void kubernetes_objectsAreListedNamespacedAndRestricted() throws IOException {
    List<String> files;
    try (Stream<Path> s = Files.list(K8S_OBS)) {
      files = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
          .sorted().collect(Collectors.toList());
    }
    List<String> listed = new ArrayList<>();
    docs(K8S_OBS.resolve("kustomization.yaml")).get(0).path("resources").forEach(r -> listed.add(r.asText()));
    assertThat(listed).containsExactlyInAnyOrderElementsOf(files);
    Map<String, JsonNode> objects = new HashMap<>();
    for (String f : files) {
      for (JsonNode d : docs(K8S_OBS.resolve(f))) {
        assertThat(d.path("apiVersion").asText()).as(f).isNotEmpty();
        String key = d.path("kind").asText() + "/" + d.path("metadata").path("name").asText();
        assertThat(objects.put(key, d)).as("duplicate %s", key).isNull();
        JsonNode pod = d.path("spec").path("template").path("spec");
        if (!pod.isMissingNode() && d.path("metadata").path("namespace").asText().equals("vtp")) {
          for (JsonNode c : pod.path("containers")) {
            JsonNode sc = c.path("securityContext");
            assertThat(sc.path("runAsNonRoot").asBoolean()).as("%s runAsNonRoot", key).isTrue();
            assertThat(sc.path("allowPrivilegeEscalation").asBoolean(true)).as(key).isFalse();
            assertThat(sc.path("capabilities").path("drop").toString()).as(key).contains("ALL");
            assertThat(sc.path("seccompProfile").path("type").asText()).as(key).isEqualTo("RuntimeDefault");
            assertThat(c.path("image").asText()).as(key).matches("[^:]+:[0-9][^:]*");
            assertThat(c.path("resources").path("limits").path("memory").asText()).as(key).isNotEmpty();
          }
          assertThat(pod.path("volumes").toString()).as("%s: no hostPath in the restricted namespace", key)
              .doesNotContain("hostPath");
        }
      }
    }
    JsonNode collectorConfig = YAML.readTree(objects.get("ConfigMap/otel-collector-config").path("data")
        .path("config.yaml").asText());
    int servicePort = objects.get("Service/otel-collector").path("spec").path("ports").get(0).path("port").asInt();
    assertCollectorPipeline(collectorConfig, servicePort, "jaeger.vtp.svc:4317");
    assertThat(objects.get("Service/jaeger").path("spec").path("ports").toString()).contains("4317");
    // What the README tells to patch into vtp-config is a valid tracing configuration reaching the collector.
    String kustomization = Files.readString(K8S_OBS.resolve("kustomization.yaml"));
    String endpoint = "http://otel-collector.vtp.svc:" + servicePort;
    assertThat(kustomization).contains("\"OTEL_EXPORTER_OTLP_ENDPOINT\":\"" + endpoint + "\"");
    assertThat(endpoint).matches(OTLP_URL);
    // The backends' configmap logs JSON lines for Fluent Bit, which tails the vtp namespace's containers.
    Map<String, String> configMap = new HashMap<>();
    docs(DEPLOY.resolve("k8s/configmap.yaml")).get(0).path("data").properties()
        .forEach(e -> configMap.put(e.getKey(), e.getValue().asText()));
    assertThat(LogConfig.fromEnv(configMap).json()).isTrue();
    String fluentBit = objects.get("ConfigMap/fluent-bit-config").path("data").path("fluent-bit.conf").asText();
    assertThat(fluentBit).contains("Path              /var/log/containers/*_vtp_*.log").contains("Name          loki");
    assertThat(objects.get("Namespace/vtp-logging").path("metadata").path("labels")
        .path("pod-security.kubernetes.io/enforce").asText()).isEqualTo("privileged");
  }

  private static void assertCollectorPipeline(JsonNode config, int receiverPort, String jaeger) {
    assertThat(config.at("/receivers/otlp/protocols/http/endpoint").asText()).isEqualTo("0.0.0.0:" + receiverPort);
    assertThat(config.at("/exporters/otlp~1jaeger/endpoint").asText()).isEqualTo(jaeger);
    JsonNode traces = config.at("/service/pipelines/traces");
    assertThat(traces.path("receivers").toString()).contains("otlp");
    assertThat(traces.path("exporters").toString()).contains("otlp/jaeger");
    traces.path("processors").forEach(p -> assertThat(config.path("processors").has(p.asText())).isTrue());
  }

  private static void assertImagesPinned(JsonNode services) {
    services.properties().forEach(s -> {
      if (s.getValue().has("image")) {
        assertThat(s.getValue().path("image").asText()).as("image of %s", s.getKey()).matches("[^:]+:[0-9][^:]*");
      }
    });
  }
}
