package com.example.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * A small Spring Boot service on vtp-spring-boot-starter: Spring Security form login with sessions in Redis through
 * the starter (Spring Session on vtp-session), so any number of instances share them.
 */
@SpringBootApplication
@EnableConfigurationProperties(DemoUsers.class)
public class ServiceApplication {

  public static void main(String[] args) {
    SpringApplication.run(ServiceApplication.class, args);
  }
}
