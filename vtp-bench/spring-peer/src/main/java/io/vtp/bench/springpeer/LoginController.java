package io.vtp.bench.springpeer;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /api/v1/auth/login} with {@code {"email","password"}}: Spring Security's documented way to log in from
 * a controller (authenticate, put the context in the session through the {@link SecurityContextRepository}). The
 * answer carries the session id as {@code token} (and in {@code X-Auth-Token}, from Spring Session).
 */
@RestController
class LoginController {
  private final AuthenticationManager authentication;
  private final SecurityContextRepository contexts;

  LoginController(AuthenticationManager authentication, SecurityContextRepository contexts) {
    this.authentication = authentication;
    this.contexts = contexts;
  }

  record Login(String email, String password) {}

  @PostMapping("/api/v1/auth/login")
  Map<String, String> login(@RequestBody Login login, HttpServletRequest request, HttpServletResponse response) {
    Authentication auth;
    try {
      auth = authentication.authenticate(UsernamePasswordAuthenticationToken.unauthenticated(login.email(),
          login.password()));
    } catch (AuthenticationException e) {
      throw new ResponseStatusException(HttpStatus.UNAUTHORIZED, "invalid credentials");
    }
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(auth);
    SecurityContextHolder.setContext(context);
    contexts.saveContext(context, request, response);
    return Map.of("token", request.getSession().getId());
  }
}
