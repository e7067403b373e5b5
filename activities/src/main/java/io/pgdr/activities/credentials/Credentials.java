package io.pgdr.activities.credentials;

/**
 * A resolved user and password, alive only for one activity call. {@link #toString()} hides the
 * password so a log line or an exception message that prints this record leaks nothing.
 */
public record Credentials(String user, String password) {

  @Override
  public String toString() {
    return "Credentials[user=" + user + ", password=***]";
  }
}
