package com.example.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code demo.*}: the demo accounts' password.
 *
 * @param password the password of the demo accounts {@code alice} and {@code bob}
 */
@ConfigurationProperties("demo")
record DemoUsers(String password) {

  DemoUsers {
    if (password == null || password.length() < 12) {
      throw new IllegalArgumentException("demo.password: must be at least 12 characters");
    }
  }
}
