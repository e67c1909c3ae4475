package io.vtp.app.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OriginPolicyTest {

  @Test
  void normalize_lowerCasesAndDropsDefaultPorts() {
    assertThat(OriginPolicy.normalize("HTTPS://App.Example.com:443")).isEqualTo("https://app.example.com");
    assertThat(OriginPolicy.normalize("http://127.0.0.1:80")).isEqualTo("http://127.0.0.1");
    assertThat(OriginPolicy.normalize("http://127.0.0.1:8080")).isEqualTo("http://127.0.0.1:8080");
    assertThat(OriginPolicy.normalize("https://app.example.com/")).isEqualTo("https://app.example.com");
  }

  @Test
  void normalize_rejectsWhatIsNoOrigin() {
    assertThat(OriginPolicy.normalize("null")).isNull();
    assertThat(OriginPolicy.normalize("file:///etc/passwd")).isNull();
    assertThat(OriginPolicy.normalize("https://user:pw@app.example.com")).isNull();
    assertThat(OriginPolicy.normalize("https://app.example.com/path")).isNull();
    assertThat(OriginPolicy.normalize("https://app.example.com?x=1")).isNull();
    assertThat(OriginPolicy.normalize("javascript:alert(1)")).isNull();
    assertThat(OriginPolicy.normalize("ht tp://x")).isNull();
  }
}
