package com.example.boot;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Form login. Spring Security changes the session id on login (session fixation protection) and keeps the
 * security context in the session: both go through the starter's repository, so they hold across instances.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

  @Bean
  SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(a -> a.requestMatchers("/", "/public/**").permitAll().anyRequest().authenticated())
        .formLogin(Customizer.withDefaults())
        .logout(Customizer.withDefaults());
    return http.build();
  }

  @Bean
  PasswordEncoder passwordEncoder() {
    return PasswordEncoderFactories.createDelegatingPasswordEncoder();
  }

  /** Demo accounts; a real service reads its users from its database. */
  @Bean
  InMemoryUserDetailsManager users(PasswordEncoder encoder, DemoUsers demo) {
    return new InMemoryUserDetailsManager(
        User.withUsername("alice").password(encoder.encode(demo.password())).roles("USER").build(),
        User.withUsername("bob").password(encoder.encode(demo.password())).roles("USER").build());
  }
}
