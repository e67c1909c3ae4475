package io.vtp.spring.boot;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** A small servlet service on the starter: a few routes and a stand-in for an authentication layer. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class WebTestApp {

  /**
   * Stands in for Spring Security (order -100, before the rate-limit filter): a request with {@code X-Test-User}
   * carries that principal, as an authenticated request would.
   */
  @Bean
  FilterRegistrationBean<jakarta.servlet.Filter> testAuthentication() {
    FilterRegistrationBean<jakarta.servlet.Filter> r = new FilterRegistrationBean<>((req, res, chain) -> {
      HttpServletRequest http = (HttpServletRequest) req;
      String user = http.getHeader("X-Test-User");
      if (user == null) {
        chain.doFilter(req, res);
        return;
      }
      Principal principal = () -> user;
      chain.doFilter(new HttpServletRequestWrapper(http) {
        @Override
        public Principal getUserPrincipal() {
          return principal;
        }
      }, res);
    });
    r.setOrder(-100);
    return r;
  }

  @RestController
  static class Routes {
    @GetMapping("/api/items")
    String items() {
      return "items";
    }

    @GetMapping("/api/me")
    String me() {
      return "me";
    }

    @PostMapping("/login")
    String login() {
      return "welcome";
    }

    @GetMapping("/public")
    String open() {
      return "public";
    }
  }
}
