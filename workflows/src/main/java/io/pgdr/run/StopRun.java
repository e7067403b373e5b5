package io.pgdr.run;

/**
 * A scenario's own reason to stop its run (no candidate, a restore that does not match its
 * backup, a verification that failed): the run ends failed with this message, and the report adds
 * what was changed and what is left.
 *
 * @param badInput the input is wrong (a backup named that is not usable), not the cluster: the CLI
 *     exits as for a bad target
 */
public final class StopRun extends RuntimeException {

  private final boolean badInput;

  public StopRun(String message) {
    this(message, false);
  }

  public StopRun(String message, boolean badInput) {
    super(message, null, false, false);
    this.badInput = badInput;
  }

  public boolean badInput() {
    return badInput;
  }
}
