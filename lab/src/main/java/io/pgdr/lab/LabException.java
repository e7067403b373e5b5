package io.pgdr.lab;

/** A lab failure worded for the person at the keyboard: what went wrong and what to do about it. */
public final class LabException extends RuntimeException {

  public LabException(String message) {
    super(message);
  }

  public LabException(String message, Throwable cause) {
    super(message, cause);
  }
}
