package io.vtp.app.auth;

/**
 * The authenticated user of a request, read from the session (no database query per request).
 *
 * @param userId the user id
 * @param email the email
 * @param role the role
 * @param fullName the full name
 * @param token the session id the request presented (never logged)
 */
public record Principal(long userId, String email, String role, String fullName, String token) {
  /** Returns whether the user may create courses. */
  public boolean canTeach() {
    return "teacher".equals(role) || "admin".equals(role);
  }

  /** Returns whether the user is an administrator. */
  public boolean isAdmin() {
    return "admin".equals(role);
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "Principal[user=" + userId + ", role=" + role + "]";
  }
}
