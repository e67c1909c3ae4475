package io.vtp.app.auth;

import io.vtp.app.http.ApiException;
import io.vtp.session.PipelinedFind;
import io.vtp.session.Session;
import io.vtp.session.SessionInfo;
import io.vtp.session.SessionStore;
import io.vtp.session.SessionStoreUnavailableException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Registration, login, logout and session lookup, over {@link UserRepository} (PostgreSQL) and
 * {@link SessionStore} (Redis). Redis being down is a 503, never "anonymous"; a database being down is a 503.
 *
 * <p>Thread-safe.
 */
public final class AuthService {
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,190}\\.[^@\\s.]{2,63}");
  private static final List<String> ROLES = List.of("student", "teacher", "admin");

  private final UserRepository users;
  private final SessionStore sessions;
  private final Passwords passwords;
  private final List<String> selfRegisterRoles;
  private final HashGate hashes;
  private final CommonPasswords common;
  private final SessionEvents events;

  /**
   * Creates the service: everyone may self-register as a student, hashes are unbounded, no events.
   *
   * @param users the user repository
   * @param sessions the session store
   * @param passwords the password hasher
   */
  public AuthService(UserRepository users, SessionStore sessions, Passwords passwords) {
    this(users, sessions, passwords, List.of("student"), new HashGate(Integer.MAX_VALUE / HashGate.WAITERS_PER_PERMIT),
        SessionEvents.NONE);
  }

  /**
   * Creates the service.
   *
   * @param users the user repository
   * @param sessions the session store
   * @param passwords the password hasher
   * @param selfRegisterRoles the roles {@link #register} may create ({@code SELF_REGISTER_ROLES})
   * @param hashes bounds the password hashes at once
   * @param events told when sessions end (so their WebSockets close)
   */
  public AuthService(UserRepository users, SessionStore sessions, Passwords passwords, List<String> selfRegisterRoles,
      HashGate hashes, SessionEvents events) {
    this.users = users;
    this.sessions = sessions;
    this.passwords = passwords;
    this.selfRegisterRoles = List.copyOf(selfRegisterRoles);
    this.hashes = hashes;
    this.common = CommonPasswords.load();
    this.events = events;
  }

  /** A registration request body. */
  public record RegisterRequest(String email, String password, String fullName, String role) {}

  /** A login request body. */
  public record LoginRequest(String email, String password) {}

  /** A successful login: the new session and the user. */
  public record LoginResult(Session session, User user) {}

  /**
   * Registers a user.
   *
   * @param r the request
   * @return the new user
   * @throws ApiException 400 naming invalid fields (a password on the common-password deny list among them), 403
   *     for a role that may not self-register, 409 when the email is taken, 503 when the database is down or too
   *     many password hashes are running
   */
  public User register(RegisterRequest r) {
    List<Map<String, String>> errors = new ArrayList<>();
    String email = r.email() == null ? null : r.email().trim();
    if (email == null || email.isEmpty()) {
      errors.add(Map.of("field", "email", "message", "is required"));
    } else if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
      errors.add(Map.of("field", "email", "message", "must be an email address of at most 254 characters"));
    }
    if (r.password() == null || r.password().isEmpty()) {
      errors.add(Map.of("field", "password", "message", "is required"));
    } else if (r.password().length() < 8 || r.password().length() > 128) {
      errors.add(Map.of("field", "password", "message", "must be 8 to 128 characters"));
    } else if (common.isCommon(r.password())) {
      errors.add(Map.of("field", "password", "message", "is a commonly used password (rule: "
          + CommonPasswords.RULE + "); choose another", "rule", CommonPasswords.RULE));
    }
    String name = r.fullName() == null ? null : r.fullName().trim();
    if (name == null || name.isEmpty()) {
      errors.add(Map.of("field", "fullName", "message", "is required"));
    } else if (name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
      errors.add(Map.of("field", "fullName", "message", "must be at most 200 printable characters"));
    }
    String role = r.role() == null ? "student" : r.role();
    if (!ROLES.contains(role)) {
      errors.add(Map.of("field", "role", "message", "must be one of " + String.join(", ", selfRegisterRoles)
          + " (or left out for student)"));
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    if (!selfRegisterRoles.contains(role)) {
      throw ApiException.forbidden("role '" + role + "' cannot self-register (allowed: "
          + String.join(", ", selfRegisterRoles) + "); an admin grants other roles");
    }
    String hash = hashes.run(() -> passwords.hash(r.password()));
    try {
      return users.create(email, hash, name, role)
          .orElseThrow(() -> ApiException.conflict("email is already registered"));
    } catch (SQLException e) {
      throw ApiException.unavailable("database unavailable", 5);
    }
  }

  /**
   * Logs a user in: checks the password, creates a new session and deletes the one the request presented, if
   * any (so the session id always changes on login).
   *
   * @param r the request
   * @param previousToken the token the request presented, or {@code null}
   * @return the new session and the user
   * @throws ApiException 400 for missing fields, 401 for unknown email or wrong password alike, 503 when a
   *     dependency is down
   */
  public LoginResult login(LoginRequest r, String previousToken) {
    List<Map<String, String>> errors = new ArrayList<>();
    if (r.email() == null || r.email().isBlank() || r.email().length() > 254) {
      errors.add(Map.of("field", "email", "message", "is required (at most 254 characters)"));
    }
    if (r.password() == null || r.password().isEmpty() || r.password().length() > 128) {
      errors.add(Map.of("field", "password", "message", "is required (at most 128 characters)"));
    }
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    Optional<UserRepository.Credentials> found;
    try {
      found = users.findCredentials(r.email().trim());
    } catch (SQLException e) {
      throw ApiException.unavailable("database unavailable", 5);
    }
    boolean ok = hashes.run(() -> found.isPresent() ? passwords.verify(r.password(), found.get().passwordHash())
        : passwords.verifyDummy(r.password()));
    if (!ok) {
      throw ApiException.unauthorized("invalid email or password");
    }
    User user = found.get().user();
    if (passwords.needsRehash(found.get().passwordHash())) {
      try {
        users.updatePasswordHash(user.id(), passwords.hash(r.password()));
      } catch (SQLException e) {
        // the old hash still works; upgrade on a later login
      }
    }
    try {
      Session session = sessions.create(Long.toString(user.id()),
          Map.of("email", user.email(), "role", user.role(), "name", user.fullName()));
      if (previousToken != null && sessions.delete(previousToken)) {
        events.sessionEnded(previousToken);
      }
      return new LoginResult(session, user);
    } catch (SessionStoreUnavailableException e) {
      throw ApiException.unavailable("session store unavailable", 5);
    }
  }

  /**
   * Finds the principal for a token.
   *
   * @param token the presented token
   * @return the principal, or empty for an unknown, expired or malformed token
   * @throws ApiException 503 when the session store is down
   */
  public Optional<Principal> authenticate(String token) {
    try {
      return principal(sessions.find(token), token);
    } catch (SessionStoreUnavailableException e) {
      throw ApiException.unavailable("session store unavailable", 5);
    }
  }

  /**
   * Prepares the session lookup of {@link #authenticate(String)} to share a Redis round trip with other calls
   * ({@link io.vtp.redis.RoundTrip}); read its answer with {@link #authenticated(PipelinedFind, String)}.
   *
   * @param token the presented token
   * @return the lookup, to be sent once
   */
  public PipelinedFind lookup(String token) {
    return sessions.findCall(token);
  }

  /**
   * The principal a sent {@link #lookup(String)} found: what {@link #authenticate(String)} answers.
   *
   * @param lookup the sent lookup
   * @param token the token it was made for
   * @return the principal, or empty for an unknown, expired or malformed token
   * @throws ApiException 503 when the session store is down
   */
  public Optional<Principal> authenticated(PipelinedFind lookup, String token) {
    try {
      return principal(lookup.result(), token);
    } catch (SessionStoreUnavailableException e) {
      throw ApiException.unavailable("session store unavailable", 5);
    }
  }

  private static Optional<Principal> principal(Optional<Session> session, String token) {
    try {
      return session.map(s -> new Principal(Long.parseLong(s.userId()), string(s, "email"), string(s, "role"),
          string(s, "name"), token));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * Deletes one session.
   *
   * @param token the session id
   * @throws ApiException 503 when the session store is down
   */
  public void logout(String token) {
    try {
      sessions.delete(token);
      events.sessionEnded(token);
    } catch (SessionStoreUnavailableException e) {
      throw ApiException.unavailable("session store unavailable", 5);
    }
  }

  /**
   * Deletes every session of a user.
   *
   * @param userId the user
   * @return how many were deleted
   * @throws ApiException 503 when the session store is down
   */
  public int logoutEverywhere(long userId) {
    try {
      int ended = sessions.deleteAllForUser(Long.toString(userId));
      events.userSessionsEnded(userId);
      return ended;
    } catch (SessionStoreUnavailableException e) {
      throw ApiException.unavailable("session store unavailable", 5);
    }
  }

  /**
   * Changes a user's role (admins only; the caller checks) and ends every session of the user at once, so the
   * new role applies to the next request and no socket keeps the old one: the user logs in again.
   *
   * @param userId the user
   * @param role student, teacher or admin
   * @return the updated user, or empty when there is no such user
   * @throws ApiException 400 for an unknown role, 503 when a dependency is down
   */
  public Optional<User> changeRole(long userId, String role) {
    if (role == null || !ROLES.contains(role)) {
      throw ApiException.badRequest("role", "must be one of " + String.join(", ", ROLES));
    }
    Optional<User> updated;
    try {
      updated = users.updateRole(userId, role);
    } catch (SQLException e) {
      throw ApiException.unavailable("database unavailable", 5);
    }
    if (updated.isPresent()) {
      logoutEverywhere(userId);
    }
    return updated;
  }

  /**
   * Lists a user's active sessions.
   *
   * @param userId the user
   * @return the sessions
   * @throws ApiException 503 when the session store is down
   */
  public List<SessionInfo> sessionsOf(long userId) {
    try {
      return sessions.findAllForUser(Long.toString(userId));
    } catch (SessionStoreUnavailableException e) {
      throw ApiException.unavailable("session store unavailable", 5);
    }
  }

  /**
   * Finds a user (for /me).
   *
   * @param id the user id
   * @return the user or empty
   * @throws ApiException 503 when the database is down
   */
  public Optional<User> user(long id) {
    try {
      return users.findById(id);
    } catch (SQLException e) {
      throw ApiException.unavailable("database unavailable", 5);
    }
  }

  /**
   * Creates a user unless the email exists (demo data).
   *
   * @param email the email
   * @param password the password
   * @param fullName the name
   * @param role the role
   * @return the user id
   * @throws SQLException on a database error
   */
  public long ensureUser(String email, String password, String fullName, String role) throws SQLException {
    Optional<UserRepository.Credentials> existing = users.findCredentials(email);
    if (existing.isPresent()) {
      return existing.get().user().id();
    }
    return users.create(email, passwords.hash(password), fullName, role)
        .map(User::id)
        .orElseGet(() -> {
          try {
            return users.findCredentials(email).orElseThrow().user().id();
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static String string(Session s, String name) {
    Object v = s.attribute(name);
    return v == null ? "" : v.toString();
  }
}
