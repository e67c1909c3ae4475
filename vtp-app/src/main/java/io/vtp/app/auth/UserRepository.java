package io.vtp.app.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;

/** Users in PostgreSQL; prepared statements only. Thread-safe. */
public final class UserRepository {
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String COLUMNS = "id, email, full_name, role, created_at";

  private final DataSource db;

  /**
   * Creates the repository.
   *
   * @param db the primary database
   */
  public UserRepository(DataSource db) {
    this.db = db;
  }

  /** A user with its password hash, for login only. */
  record Credentials(User user, String passwordHash) {}

  /**
   * Inserts a user.
   *
   * @return the user, or empty when the email (case-insensitive) is taken
   * @throws SQLException on any other database error
   */
  Optional<User> create(String email, String passwordHash, String fullName, String role) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO users (email, password_hash, full_name, role) VALUES (?, ?, ?, ?) RETURNING " + COLUMNS)) {
      ps.setString(1, email);
      ps.setString(2, passwordHash);
      ps.setString(3, fullName);
      ps.setString(4, role);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return Optional.of(read(rs));
      }
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        return Optional.empty();
      }
      throw e;
    }
  }

  Optional<Credentials> findCredentials(String email) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT " + COLUMNS + ", password_hash FROM users WHERE lower(email) = lower(?)")) {
      ps.setString(1, email);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new Credentials(read(rs), rs.getString("password_hash"))) : Optional.empty();
      }
    }
  }

  void updatePasswordHash(long id, String hash) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "UPDATE users SET password_hash = ? WHERE id = ?")) {
      ps.setString(1, hash);
      ps.setLong(2, id);
      ps.executeUpdate();
    }
  }

  /**
   * Changes a user's role.
   *
   * @return the updated user, or empty when there is no such user
   * @throws SQLException on a database error
   */
  Optional<User> updateRole(long id, String role) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "UPDATE users SET role = ? WHERE id = ? RETURNING " + COLUMNS)) {
      ps.setString(1, role);
      ps.setLong(2, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  /**
   * Finds a user by id.
   *
   * @param id the id
   * @return the user or empty
   * @throws SQLException on a database error
   */
  public Optional<User> findById(long id) throws SQLException {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "SELECT " + COLUMNS + " FROM users WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    }
  }

  private static User read(ResultSet rs) throws SQLException {
    return new User(rs.getLong("id"), rs.getString("email"), rs.getString("full_name"), rs.getString("role"),
        rs.getTimestamp("created_at").toInstant());
  }
}
