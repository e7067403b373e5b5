package io.pgdr.ports;

import java.util.List;
import java.util.Map;

/**
 * Post-recovery verification of one server (runbook 000 §4).
 *
 * @param primary the server is not in recovery
 * @param probeWritten a row written to pgdr's probe table was read back
 * @param rowCounts {@code SELECT count(*)} of each integrity table
 * @param connections {@code application_name/state} of the database's sessions
 * @param problems what failed; empty when verified
 */
public record VerificationResult(
    String pod, boolean primary, boolean probeWritten, Map<String, Long> rowCounts,
    List<String> connections, List<String> problems) {

  public boolean passed() {
    return problems.isEmpty();
  }
}
