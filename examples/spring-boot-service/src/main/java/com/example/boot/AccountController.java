package com.example.boot;

import jakarta.servlet.http.HttpSession;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The session-scoped page: who is logged in, and a visit counter kept in the session (so in Redis). */
@RestController
class AccountController {

  @GetMapping("/")
  String home() {
    return "spring-boot-service: log in at /login, then see /account";
  }

  /** Counts visits in the session; the CSRF token is for the logout form ({@code POST /logout}). */
  @GetMapping("/account")
  String account(Authentication auth, HttpSession session, CsrfToken csrf) {
    Long visits = (Long) session.getAttribute("visits");
    long next = visits == null ? 1 : visits + 1;
    session.setAttribute("visits", next);
    return auth.getName() + " visits=" + next + " csrf=" + csrf.getToken();
  }
}
