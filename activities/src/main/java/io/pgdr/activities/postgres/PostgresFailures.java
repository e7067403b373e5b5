package io.pgdr.activities.postgres;

import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.temporal.failure.ApplicationFailure;
import java.sql.SQLException;
import java.util.Set;
import org.postgresql.util.PSQLException;

/**
 * Sorts SQL errors by what a retry could change. Unreachable servers and lost connections are
 * retryable; refused credentials, a missing database or missing privileges are not, and say so
 * with a failure type the workflow (and the person reading the UI) can act on.
 */
public final class PostgresFailures {

  // 57P01-03: shut down by an admin, crash recovery, still starting: all pass with time.
  private static final Set<String> NOT_ACCEPTING = Set.of("57P01", "57P02", "57P03", "53300");

  private PostgresFailures() {}

  /** Whether the error is one that passes with time (server down, restarting, full, connection lost). */
  public static boolean isUnreachable(SQLException e) {
    String state = e.getSQLState();
    if ("08P01".equals(state) && e instanceof PSQLException server && server.getServerErrorMessage() != null) {
      // the server answering that a COPY stream is malformed: the session is fine, the data is not
      return false;
    }
    return state == null || state.startsWith("08") || NOT_ACCEPTING.contains(state);
  }

  static ApplicationFailure toFailure(PostgresServer server, String action, SQLException e) {
    return toFailure(server, server.database(), action, e);
  }

  /** The failure an activity raises for {@code e} on {@code database} of the server: retryable only when time could fix it. */
  public static ApplicationFailure toFailure(PostgresServer server, String database, String action, SQLException e) {
    String where = server.pod() + " (" + server.address() + ", database " + database + ")";
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.equals("28P01") || state.equals("28000")) {
      return ApplicationFailure.newNonRetryableFailureWithCause(
          action + ": " + where + " refused the credentials: " + e.getMessage(), FailureTypes.CREDENTIALS_REFUSED, e);
    }
    if (state.equals("3D000")) {
      return ApplicationFailure.newNonRetryableFailureWithCause(
          action + ": " + where + ": " + e.getMessage(), FailureTypes.DATABASE_MISSING, e);
    }
    if (state.equals("42501")) {
      return ApplicationFailure.newNonRetryableFailureWithCause(
          action + ": " + where + ": the configured user lacks a privilege: " + e.getMessage(), FailureTypes.PERMISSION_DENIED, e);
    }
    if (isUnreachable(e)) {
      return ApplicationFailure.newFailureWithCause(
          action + ": " + where + " is unreachable: " + e.getMessage(), FailureTypes.SERVER_UNREACHABLE, e);
    }
    return ApplicationFailure.newFailureWithCause(
        action + ": " + where + ": SQLSTATE " + state + ": " + e.getMessage(), FailureTypes.SQL_FAILED, e);
  }
}
