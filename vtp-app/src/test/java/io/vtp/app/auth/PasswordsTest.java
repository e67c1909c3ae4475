package io.vtp.app.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PasswordsTest {
  private final Passwords passwords = new Passwords(1000);

  @Test
  void hash_verifiesTheRightPasswordOnly() {
    String h = passwords.hash("correct horse");
    assertThat(h).startsWith("pbkdf2-sha256$1000$");
    assertThat(passwords.verify("correct horse", h)).isTrue();
    assertThat(passwords.verify("correct horsE", h)).isFalse();
  }

  @Test
  void hash_usesAFreshSaltEachTime() {
    assertThat(passwords.hash("same")).isNotEqualTo(passwords.hash("same"));
  }

  @Test
  void verify_malformedHashIsFalseNotAnException() {
    assertThat(passwords.verify("x", "garbage")).isFalse();
    assertThat(passwords.verify("x", "pbkdf2-sha256$abc$!!$!!")).isFalse();
    assertThat(passwords.verifyDummy("x")).isFalse();
  }

  @Test
  void needsRehash_whenTheIterationCountChanged() {
    String old = new Passwords(1000).hash("p");
    assertThat(new Passwords(2000).needsRehash(old)).isTrue();
    assertThat(new Passwords(1000).needsRehash(old)).isFalse();
    assertThatThrownBy(() -> new Passwords(10)).hasMessageContaining("iterations");
  }
}
