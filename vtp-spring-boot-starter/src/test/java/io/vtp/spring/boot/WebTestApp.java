package io.vtp.spring.boot;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.security.Principal;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** A small servlet service on the starter: a few routes and a stand-in for an authentication layer. */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = {
    // Spring Security is on the test class path (the session tests use it); these tests stand in for it.
    "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration"})
@EnableCaching
public class WebTestApp {

  /** A cached service whose load the test holds, to fill the cache's bypass while Redis is down. */
  public static class Reports {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    /** The latch the load counts down (a method: the bean is a caching proxy, whose own fields are empty). */
    public CountDownLatch entered() {
      return entered;
    }

    /** The latch the load waits on. */
    public CountDownLatch release() {
      return release;
    }

    @Cacheable(cacheNames = "reports", sync = true)
    public String report(String id) throws InterruptedException {
      entered.countDown();
      if (!release.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the load");
      }
      return "report " + id;
    }
  }

  @Bean
  Reports reports() {
    return new Reports();
  }

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
    private final Reports reports;

    Routes(Reports reports) {
      this.reports = reports;
    }

    @GetMapping("/reports/{id}")
    String report(@PathVariable("id") String id) throws InterruptedException {
      return reports.report(id);
    }

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
