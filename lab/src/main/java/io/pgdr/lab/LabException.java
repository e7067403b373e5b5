package io.pgdr.lab;

/** A lab failure worded for the person at the keyboard: what went wrong and what to do about it. */
public final class LabException extends RuntimeException {

  private final String hint;

  public LabException(String message) {
    this(message, null, null);
  }

  public LabException(String message, Throwable cause) {
    this(message, cause, null);
  }

  private LabException(String message, Throwable cause, String hint) {
    super(message, cause);
    this.hint = hint;
  }

  /** A failure whose remedy is a step of its own, which the CLI shows as its hint line. */
  public static LabException withHint(String message, String hint) {
    return new LabException(message, null, hint);
  }

  /** What to do about it, when the message does not say; null otherwise. */
  public String hint() {
    return hint;
  }
}
