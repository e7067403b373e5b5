package io.pgdr.cli;

/** An error the user can act on: one line, a hint, and the exit code it maps to. */
public final class CliException extends RuntimeException {

  private final int exitCode;
  private final String hint;

  public CliException(int exitCode, String message, String hint) {
    super(message);
    this.exitCode = exitCode;
    this.hint = hint;
  }

  public static CliException badInput(String message, String hint) {
    return new CliException(ExitCodes.BAD_INPUT, message, hint);
  }

  public static CliException unavailable(String message, String hint) {
    return new CliException(ExitCodes.UNAVAILABLE, message, hint);
  }

  public int exitCode() {
    return exitCode;
  }

  public String hint() {
    return hint;
  }
}
