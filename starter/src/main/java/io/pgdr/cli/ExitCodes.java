package io.pgdr.cli;

/** Exit codes, the same for every command; listed in {@code pgdr --help}. */
public final class ExitCodes {
  public static final int OK = 0;
  /** The recovery ran and failed; its report says where it stopped. */
  public static final int RUN_FAILED = 1;
  /** The command or its input is wrong (options, target file, run name, bucket, backup named); nothing was started or changed. */
  public static final int BAD_INPUT = 2;
  /** The recovery was rejected or nobody approved it in time; nothing destructive was done. */
  public static final int RUN_ABORTED = 3;
  /**
   * Something pgdr needs is not there: Temporal service, lab, PostgreSQL programs; or no worker to
   * apply a decision, which approve/reject then only sent (not yet applied).
   */
  public static final int UNAVAILABLE = 4;
  /** A recovery of this database is already running. */
  public static final int ALREADY_RUNNING = 5;

  static final String HELP = "Exit codes:%n"
      + "  0  succeeded%n"
      + "  1  the recovery failed (the report says where it stopped)%n"
      + "  2  bad input: options, target file, run name, bucket or backup named; nothing was changed%n"
      + "  3  the recovery was aborted: rejected, or not approved in time%n"
      + "  4  unavailable: no Temporal service, lab or PostgreSQL programs;%n"
      + "     approve/reject: sent, not yet applied (no worker answered)%n"
      + "  5  a recovery of this database is already running";

  private ExitCodes() {}
}
