package io.vtp.app.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Builds databases as the hand-written migrations before Flyway left them, from the {@code legacy-migrations.sql}
 * fixture: the {@code schema_migrations} table, then steps 1 to {@code version}, each committed together with its
 * bookkeeping row, as the old code did.
 */
public final class LegacySchema {
  private LegacySchema() {}

  /**
   * Replays the first {@code version} hand-written steps.
   *
   * @param connection an open connection to the database; left open, in auto-commit mode
   * @param version 0 to 3
   * @throws SQLException when the database refuses
   */
  public static void create(Connection connection, int version) throws SQLException {
    if (version < 0 || version > 3) {
      throw new IllegalArgumentException("version must be within [0, 3] but was " + version);
    }
    Map<String, String> sections = sections();
    try (Statement s = connection.createStatement()) {
      s.execute(sections.get("table"));
    }
    connection.setAutoCommit(false);
    try {
      for (int v = 1; v <= version; v++) {
        try (Statement s = connection.createStatement()) {
          s.execute(sections.get("step " + v));
        }
        try (PreparedStatement ps = connection.prepareStatement(
            "INSERT INTO schema_migrations (version) VALUES (?)")) {
          ps.setInt(1, v);
          ps.executeUpdate();
        }
        connection.commit();
      }
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private static Map<String, String> sections() {
    String text;
    try (InputStream in = LegacySchema.class.getResourceAsStream("legacy-migrations.sql")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> sections = new LinkedHashMap<>();
    String current = null;
    for (String line : text.lines().toList()) {
      if (line.equals("-- table") || line.startsWith("-- step ")) {
        current = line.substring(3);
      } else if (current != null) {
        sections.merge(current, line, (a, b) -> a + "\n" + b);
      }
    }
    if (!sections.keySet().equals(Set.of("table", "step 1", "step 2", "step 3"))) {
      throw new IllegalStateException("legacy-migrations.sql has sections " + sections.keySet());
    }
    return sections;
  }
}
