package io.pgdr.run;

import io.pgdr.ports.FailureTypes;
import io.temporal.failure.ApplicationFailure;

/**
 * A recovery that failed ends the workflow as failed (so the UI shows it red) and carries the
 * report as the failure's details, so the CLI can still print what was done and where it stopped.
 */
public final class RecoveryFailure {

  private RecoveryFailure() {}

  public static ApplicationFailure of(RecoveryReport report) {
    return ApplicationFailure.newNonRetryableFailure(report.message(), FailureTypes.RECOVERY_FAILED, report);
  }
}
