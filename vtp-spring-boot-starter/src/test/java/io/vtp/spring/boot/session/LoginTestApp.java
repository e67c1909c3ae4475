package io.vtp.spring.boot.session;

import jakarta.servlet.http.HttpSession;
import java.util.Map;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A Spring Boot service with Spring Security form login, started on a free port with real Tomcat. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(LoginTestApp.Pages.class)
class LoginTestApp {

  static ConfigurableApplicationContext start(String redisUrl, String keyPrefix, String... more) {
    SpringApplicationBuilder builder = new SpringApplicationBuilder(LoginTestApp.class)
        .properties(Map.of("server.port", "0", "vtp.redis.url", redisUrl, "vtp.session.key-prefix", keyPrefix,
            "spring.main.banner-mode", "off", "logging.level.root", "warn"))
        .properties(more);
    return builder.run();
  }

  static int port(ConfigurableApplicationContext context) {
    return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  @Bean
  SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(a -> a.requestMatchers("/public").permitAll().anyRequest().authenticated())
        .formLogin(Customizer.withDefaults())
        .logout(Customizer.withDefaults());
    return http.build();
  }

  @Bean
  InMemoryUserDetailsManager users() {
    return new InMemoryUserDetailsManager(
        User.withUsername("alice").password("{noop}alice-password").roles("USER").build(),
        User.withUsername("bob").password("{noop}bob-password").roles("USER").build(),
        User.withUsername("carol").password("{noop}carol-password").roles("USER").build());
  }

  @RestController
  static class Pages {
    /** Needs no session. */
    @GetMapping("/public")
    String open() {
      return "public";
    }

    /** Reads the session (the security context) and writes nothing. */
    @GetMapping("/whoami")
    String whoami(Authentication auth) {
      return auth.getName();
    }

    /** A session-scoped page: counts visits in the session, and hands out the CSRF token for the logout form. */
    @GetMapping("/me")
    String me(Authentication auth, HttpSession session, CsrfToken csrf) {
      Long visits = (Long) session.getAttribute("visits");
      long next = visits == null ? 1 : visits + 1;
      session.setAttribute("visits", next);
      return auth.getName() + " visits=" + next + " csrf=" + csrf.getToken();
    }
  }
}
