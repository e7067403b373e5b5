package io.pgdr.lab.drill;

import io.pgdr.lab.LabException;
import io.pgdr.lab.PostgresNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The physical floor's promotion: {@code SELECT pg_promote()} on a session to the standby opened
 * before the primary is killed, so no connection set-up is timed, and no pgdr in between.
 */
public final class HandPromotion implements AutoCloseable {

  private final PostgresNode standby;
  private final Connection session;
  private final Statement promote;

  private HandPromotion(PostgresNode standby, Connection session) throws SQLException {
    this.standby = standby;
    this.session = session;
    this.promote = session.createStatement();
  }

  /** Opens the session to {@code standby}'s {@code database}, ready to promote it. */
  public static HandPromotion prepare(PostgresNode standby, String database) throws SQLException {
    Connection session = standby.connect(database);
    try {
      return new HandPromotion(standby, session);
    } catch (SQLException e) {
      session.close();
      throw e;
    }
  }

  /** Promotes the standby; returns once it is promoted (pg_promote waits, up to 60 s). */
  public void promote() throws SQLException {
    try (ResultSet promoted = promote.executeQuery("SELECT pg_promote()")) {
      promoted.next();
      if (!promoted.getBoolean(1)) {
        throw LabException.withHint("pg_promote() on " + standby.name() + " returned false", "see its server log");
      }
    }
  }

  @Override
  public void close() throws SQLException {
    try {
      promote.close();
    } finally {
      session.close();
    }
  }
}
