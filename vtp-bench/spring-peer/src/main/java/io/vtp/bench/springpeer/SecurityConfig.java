package io.vtp.bench.springpeer;

import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.session.web.http.HeaderHttpSessionIdResolver;
import org.springframework.session.web.http.HttpSessionIdResolver;

/**
 * A stateless-looking REST API on server-side sessions: the login endpoint and the liveness probe are open,
 * everything else needs the session's security context (401 otherwise). No CSRF (the session id travels in a header
 * a browser never adds on its own).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

  @Bean
  SecurityFilterChain api(HttpSecurity http, SecurityContextRepository contexts) throws Exception {
    http.csrf(c -> c.disable())
        .securityContext(s -> s.securityContextRepository(contexts))
        .authorizeHttpRequests(a -> a.requestMatchers("/api/v1/auth/login", "/health/live").permitAll()
            .anyRequest().authenticated())
        .exceptionHandling(e -> e.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)));
    return http.build();
  }

  @Bean
  SecurityContextRepository securityContextRepository() {
    return new HttpSessionSecurityContextRepository();
  }

  /** Spring Session's REST idiom: the session id in {@code X-Auth-Token}, not a cookie. */
  @Bean
  HttpSessionIdResolver httpSessionIdResolver() {
    return HeaderHttpSessionIdResolver.xAuthToken();
  }

  /** The app's users table, as the app stores it. */
  @Bean
  UserDetailsService users(JdbcTemplate jdbc) {
    return email -> {
      List<User> found = jdbc.query("SELECT email, password_hash, role FROM users WHERE lower(email) = lower(?)",
          (rs, n) -> (User) User.withUsername(rs.getString(1)).password(rs.getString(2)).roles(rs.getString(3)
              .toUpperCase(java.util.Locale.ROOT)).build(), email);
      if (found.isEmpty()) {
        throw new UsernameNotFoundException("no such user");
      }
      return found.get(0);
    };
  }

  @Bean
  PasswordEncoder passwordEncoder() {
    return new AppPasswordEncoder();
  }

  @Bean
  AuthenticationManager authenticationManager(UserDetailsService users, PasswordEncoder encoder) {
    DaoAuthenticationProvider provider = new DaoAuthenticationProvider(users);
    provider.setPasswordEncoder(encoder);
    return new ProviderManager(provider);
  }
}
