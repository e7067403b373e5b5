package io.pgdr.activities.postgres;

import io.pgdr.ports.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.util.Locale;

/**
 * Sorts a failed {@code pg_dump}/{@code pg_restore} by its stderr, the only account it gives:
 * refused credentials and missing privileges are not retryable, a lost or refused connection is.
 */
public final class DumpFailures {

  private DumpFailures() {}

  /**
   * @param otherwise the type for any other failure
   * @param retryable whether any other failure is worth retrying
   */
  public static ApplicationFailure toFailure(String action, DumpProcess.Failed e, String otherwise, boolean retryable) {
    String stderr = e.stderr().toLowerCase(Locale.ROOT);
    String message = action + ": " + e.getMessage();
    if (stderr.contains("password authentication failed") || stderr.contains("no pg_hba.conf entry")) {
      return ApplicationFailure.newNonRetryableFailureWithCause(message, FailureTypes.CREDENTIALS_REFUSED, e);
    }
    if (stderr.contains("permission denied") || stderr.contains("must be owner") || stderr.contains("must be superuser")
        || stderr.contains("must be member")) {
      return ApplicationFailure.newNonRetryableFailureWithCause(
          message + " (grant the configured user the privilege, or use a superuser)", FailureTypes.PERMISSION_DENIED, e);
    }
    if (stderr.contains("could not connect") || stderr.contains("connection refused") || stderr.contains("server closed the connection")
        || stderr.contains("terminating connection") || stderr.contains("the database system is")
        || stderr.contains("connection to server") && stderr.contains("failed")) {
      return ApplicationFailure.newFailureWithCause(message, FailureTypes.SERVER_UNREACHABLE, e);
    }
    return retryable
        ? ApplicationFailure.newFailureWithCause(message, otherwise, e)
        : ApplicationFailure.newNonRetryableFailureWithCause(message, otherwise, e);
  }
}
