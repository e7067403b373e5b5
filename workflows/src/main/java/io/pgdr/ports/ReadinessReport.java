package io.pgdr.ports;

import java.time.Instant;
import java.util.List;

/**
 * "Would a recovery work right now?" (runbook 000 §6), answered without changing anything: each
 * check passed, warned or failed, with what was seen and the fix.
 */
public record ReadinessReport(String database, Instant checkedAt, List<Item> items) {

  public static final String PASS = "pass";
  public static final String WARN = "warn";
  public static final String FAIL = "fail";

  public ReadinessReport {
    items = List.copyOf(items);
  }

  /** @param fix what to do about a warning or a failure; null when it passed */
  public record Item(String check, String status, String detail, String fix) {}

  public long count(String status) {
    return items.stream().filter(i -> status.equals(i.status())).count();
  }

  public boolean failed() {
    return count(FAIL) > 0;
  }

  /** One line: the counts, then each check that did not pass. */
  public String summary() {
    StringBuilder line = new StringBuilder(count(PASS) + " passed, " + count(WARN) + " warned, " + count(FAIL) + " failed");
    items.stream().filter(i -> !PASS.equals(i.status()))
        .forEach(i -> line.append("; ").append(i.status()).append(" ").append(i.check()).append(": ").append(i.detail()));
    return line.toString();
  }
}
