package io.vtp.app.auth;

import java.time.Instant;

/**
 * A user as the API shows it (never the password hash).
 *
 * @param id the id
 * @param email the email, as registered
 * @param fullName the full name
 * @param role {@code student}, {@code teacher} or {@code admin}
 * @param createdAt when the account was created
 */
public record User(long id, String email, String fullName, String role, Instant createdAt) {}
