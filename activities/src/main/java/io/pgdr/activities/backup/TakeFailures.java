package io.pgdr.activities.backup;

import io.pgdr.activities.postgres.DumpFailures;
import io.pgdr.activities.postgres.DumpProcess;
import io.pgdr.activities.postgres.PartSessions;
import io.pgdr.activities.store.StoreFailures;
import io.pgdr.ports.FailureTypes;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.sql.SQLException;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * How taking a backup fails, whichever kind: the server's SQL errors, a client program's stderr and
 * the store's errors are each sorted by their own rules into retryable or not; anything else is a
 * retryable {@link FailureTypes#BACKUP_FAILED}.
 */
final class TakeFailures {

  /** Work that reads the server and writes the store. */
  interface Work<T> {
    T run() throws Exception;
  }

  private static final Pattern NAME = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._-]{0,99}");

  private TakeFailures() {}

  /** A backup's directory name must be a plain key segment; not retryable otherwise. */
  static void requireName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw ApplicationFailure.newNonRetryableFailure(what + " '" + name
          + "' must be letters, digits, '.', '_' or '-' (pgdr names them by UTC time, e.g. 20261122T220500Z)", FailureTypes.BACKUP_FAILED);
    }
  }

  static <T> T sorted(String action, BackupLocation location, PartSessions sessions, Work<T> work) {
    try {
      return work.run();
    } catch (SQLException e) {
      throw sessions.failure(action, sessions.server().database(), e);
    } catch (DumpProcess.Failed e) {
      throw DumpFailures.toFailure(action, e, FailureTypes.BACKUP_FAILED, true);
    } catch (SdkException e) {
      throw StoreFailures.toFailure(location, action, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure(action + ": interrupted", FailureTypes.BACKUP_FAILED);
    } catch (IOException e) {
      throw ApplicationFailure.newFailureWithCause(action + ": " + e.getMessage(), FailureTypes.BACKUP_FAILED, e);
    } catch (RuntimeException e) {
      // an ApplicationFailure already sorted, or the heartbeat's news that the activity was cancelled
      throw e;
    } catch (Exception e) {
      throw ApplicationFailure.newFailureWithCause(action + ": " + e, FailureTypes.BACKUP_FAILED, e);
    }
  }
}
