package io.pgdr.lab;

import org.opentest4j.TestAbortedException;

/**
 * A guard for tests that need a real component (PostgreSQL binaries, a server program). Locally a
 * missing component skips the test with the hint to install it; on CI ({@code CI=true}) it fails,
 * so a broken machine setup can never pass as a green run of skipped tests.
 */
public final class RequiredComponent {

  private RequiredComponent() {}

  public static void require(String what, boolean present, String hint) {
    if (present) {
      return;
    }
    String message = what + " is missing: " + hint;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new IllegalStateException(message);
    }
    throw new TestAbortedException(message);
  }
}
