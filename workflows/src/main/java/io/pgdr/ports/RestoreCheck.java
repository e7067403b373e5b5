package io.pgdr.ports;

import java.util.List;
import java.util.Map;

/**
 * A restored database compared with its backup.
 *
 * @param expected rows per table as the backup's manifest records them (empty when the backup has
 *     no manifest)
 * @param actual rows per table in the restored database
 * @param problems differences and missing tables; empty when they agree
 */
public record RestoreCheck(String database, Map<String, Long> expected, Map<String, Long> actual, List<String> problems) {

  public boolean passed() {
    return problems.isEmpty();
  }
}
