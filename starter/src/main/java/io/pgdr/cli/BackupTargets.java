package io.pgdr.cli;

import io.pgdr.activities.credentials.CredentialsUnavailableException;
import io.pgdr.target.DatabaseTarget;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.util.function.Supplier;

/** What the backup commands share: a target that names its backups, and adapter failures told as CLI errors. */
final class BackupTargets {

  private BackupTargets() {}

  static DatabaseTarget read(Path file) {
    DatabaseTarget target = TargetFiles.read(file);
    if (target.backups() == null) {
      throw CliException.badInput("target " + file + " has no backups section",
          "add backups: {bucket: ..., prefix: ...} (see docs/target.md)");
    }
    return target;
  }

  /**
   * Runs an adapter call in this process. Its failures carry a type and a message written for the
   * operator (bucket missing, credentials refused): they become a one-line error and exit code 1.
   */
  static <T> T call(Supplier<T> adapterCall) {
    try {
      return adapterCall.get();
    } catch (ApplicationFailure e) {
      throw new CliException(ExitCodes.RUN_FAILED, e.getOriginalMessage(), null);
    } catch (CredentialsUnavailableException e) {
      throw new CliException(ExitCodes.RUN_FAILED, e.getMessage(), null);
    }
  }
}
