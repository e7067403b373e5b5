package io.pgdr.activities.credentials;

/** The reference names credentials that are not there: a missing Secret, key or variable. */
public final class CredentialsUnavailableException extends RuntimeException {

  public CredentialsUnavailableException(String message) {
    super(message);
  }
}
