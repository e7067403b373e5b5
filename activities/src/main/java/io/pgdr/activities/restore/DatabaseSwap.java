package io.pgdr.activities.restore;

import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.SwapResult;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Puts a restored database in the live one's place: both renamed in one transaction, so
 * applications find either the old database or the restored one under the live name, never
 * nothing. A database cannot be renamed while anyone is connected to it, and pooled clients
 * reconnect at once; so connections to both are refused while their sessions are ended, and
 * allowed again afterwards, whatever happened. Nothing is dropped: the old database keeps a name.
 */
final class DatabaseSwap {

  private static final int TRIES = 10;
  private static final long PAUSE_MILLIS = 300;
  private static final String OBJECT_IN_USE = "55006";

  private DatabaseSwap() {}

  static SwapResult swap(Connection maintenance, String live, String restored, String keepAs) throws SQLException, InterruptedException {
    boolean liveExists = RestoreTarget.exists(maintenance, live);
    boolean restoredExists = RestoreTarget.exists(maintenance, restored);
    boolean keptExists = RestoreTarget.exists(maintenance, keepAs);
    if (liveExists && keptExists && !restoredExists) {
      // an earlier attempt swapped them and may have stopped before allowing connections again
      allowConnections(maintenance, live);
      allowConnections(maintenance, keepAs);
      return new SwapResult(live, keepAs, true, 0);
    }
    if (keptExists) {
      throw ApplicationFailure.newNonRetryableFailure("database " + keepAs + " already exists, so " + live
          + " cannot be kept under that name; rename or drop " + keepAs + ", or choose another name", FailureTypes.SWAP_REFUSED);
    }
    if (!restoredExists || !liveExists) {
      throw ApplicationFailure.newNonRetryableFailure("database " + (restoredExists ? live : restored)
          + " does not exist, so there is nothing to swap; check the database names of the run", FailureTypes.SWAP_REFUSED);
    }
    // before the swap, so applications find the same owner, grants and settings under the live name
    DatabaseProperties.copy(maintenance, live, restored);
    int terminated = 0;
    try {
      for (int tries = 1; ; tries++) {
        refuseConnections(maintenance, live);
        refuseConnections(maintenance, restored);
        terminated += terminateSessions(maintenance, live, restored);
        try {
          renameBoth(maintenance, live, restored, keepAs);
          return new SwapResult(live, keepAs, false, terminated);
        } catch (SQLException e) {
          // a session ending takes a moment: the rename sees it until it is gone
          if (!OBJECT_IN_USE.equals(e.getSQLState()) || tries == TRIES) {
            throw e;
          }
          Thread.sleep(PAUSE_MILLIS);
        }
      }
    } finally {
      for (String name : new String[] {live, keepAs, restored}) {
        if (RestoreTarget.exists(maintenance, name)) {
          allowConnections(maintenance, name);
        }
      }
    }
  }

  private static void renameBoth(Connection maintenance, String live, String restored, String keepAs) throws SQLException {
    maintenance.setAutoCommit(false);
    try {
      FormattedSql.executeFormatted(maintenance, "ALTER DATABASE %I RENAME TO %I", live, keepAs);
      FormattedSql.executeFormatted(maintenance, "ALTER DATABASE %I RENAME TO %I", restored, live);
      maintenance.commit();
    } catch (SQLException e) {
      maintenance.rollback();
      throw e;
    } finally {
      maintenance.setAutoCommit(true);
    }
  }

  private static int terminateSessions(Connection maintenance, String first, String second) throws SQLException {
    try (PreparedStatement terminate = maintenance.prepareStatement("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
        + " FROM pg_stat_activity WHERE datname IN (?, ?) AND pid <> pg_backend_pid()")) {
      terminate.setString(1, first);
      terminate.setString(2, second);
      try (ResultSet row = terminate.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }

  private static void refuseConnections(Connection maintenance, String database) throws SQLException {
    FormattedSql.executeFormatted(maintenance, "ALTER DATABASE %I WITH ALLOW_CONNECTIONS false", database);
  }

  private static void allowConnections(Connection maintenance, String database) throws SQLException {
    FormattedSql.executeFormatted(maintenance, "ALTER DATABASE %I WITH ALLOW_CONNECTIONS true", database);
  }
}
