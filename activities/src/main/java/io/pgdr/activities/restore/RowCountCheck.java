package io.pgdr.activities.restore;

import io.pgdr.ports.RestoreCheck;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A restored database's tables counted against the rows its backup's manifest records. */
final class RowCountCheck {

  private RowCountCheck() {}

  /** @param expected rows per table from the manifest; empty for a dump without one */
  static RestoreCheck check(Connection session, String database, Map<String, Long> expected) throws SQLException {
    List<String> problems = new ArrayList<>();
    if (RestoreCheckpoint.source(session) != null) {
      problems.add("the restore into " + database + " is unfinished (schema " + RestoreCheckpoint.SCHEMA
          + " still holds its checkpoint): run the restore again");
    }
    Map<String, Long> actual = TableRows.count(session);
    expected.forEach((table, rows) -> {
      Long found = actual.get(table);
      if (found == null) {
        problems.add(table + " is missing (the backup has " + rows + " rows)");
      } else if (found.longValue() != rows) {
        problems.add(table + " has " + found + " rows, the backup has " + rows);
      }
    });
    return new RestoreCheck(database, new TreeMap<>(expected), actual, problems);
  }
}
