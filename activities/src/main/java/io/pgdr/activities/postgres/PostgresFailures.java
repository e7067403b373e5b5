package io.pgdr.activities.postgres;

import io.pgdr.ports.PostgresServer;
import io.temporal.failure.ApplicationFailure;
import java.sql.SQLException;
import java.util.Set;

/**
 * Sorts SQL errors by what a retry could change. Unreachable servers and lost connections are
 * retryable; refused credentials, a missing database or missing privileges are not, and say so
 * with a failure type the workflow (and the person reading the UI) can act on.
 */
final class PostgresFailures {

  static final String UNREACHABLE = "ServerUnreachable";
  static final String CREDENTIALS_REFUSED = "CredentialsRefused";
  static final String CREDENTIALS_UNAVAILABLE = "CredentialsUnavailable";
  static final String DATABASE_MISSING = "DatabaseMissing";
  static final String PERMISSION_DENIED = "PermissionDenied";
  static final String SQL_FAILED = "SqlFailed";

  // 57P01-03: shut down by an admin, crash recovery, still starting: all pass with time.
  private static final Set<String> NOT_ACCEPTING = Set.of("57P01", "57P02", "57P03", "53300");

  private PostgresFailures() {}

  static boolean isUnreachable(SQLException e) {
    String state = e.getSQLState();
    return state == null || state.startsWith("08") || NOT_ACCEPTING.contains(state);
  }

  static ApplicationFailure toFailure(PostgresServer server, String action, SQLException e) {
    String where = server.pod() + " (" + server.address() + ", database " + server.database() + ")";
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.equals("28P01") || state.equals("28000")) {
      return ApplicationFailure.newNonRetryableFailureWithCause(
          action + ": " + where + " refused the credentials: " + e.getMessage(), CREDENTIALS_REFUSED, e);
    }
    if (state.equals("3D000")) {
      return ApplicationFailure.newNonRetryableFailureWithCause(
          action + ": " + where + ": " + e.getMessage(), DATABASE_MISSING, e);
    }
    if (state.equals("42501")) {
      return ApplicationFailure.newNonRetryableFailureWithCause(
          action + ": " + where + ": the configured user lacks a privilege: " + e.getMessage(), PERMISSION_DENIED, e);
    }
    if (isUnreachable(e)) {
      return ApplicationFailure.newFailureWithCause(
          action + ": " + where + " is unreachable: " + e.getMessage(), UNREACHABLE, e);
    }
    return ApplicationFailure.newFailureWithCause(
        action + ": " + where + ": SQLSTATE " + state + ": " + e.getMessage(), SQL_FAILED, e);
  }
}
