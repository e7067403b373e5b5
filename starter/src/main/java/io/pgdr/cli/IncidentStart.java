package io.pgdr.cli;

import io.pgdr.target.Echo;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** {@code --incident-start}: when the outage began, an ISO-8601 instant neither in the future nor long past. */
public final class IncidentStart {

  /** An RTO counted from longer ago measures nothing: such a time is a typo (a year, a day and month swapped). */
  static final Duration MAX_AGE = Duration.ofDays(30);
  /** This machine's clock may be a little behind the one the time was read from. */
  private static final Duration CLOCK_SKEW = Duration.ofMinutes(1);
  private static final String EXAMPLE = "e.g. 2026-11-22T03:12:00Z";

  private IncidentStart() {}

  /** @return the instant, or null (the run then uses its start) when not given */
  public static Instant parse(String text) {
    return parse(text, Instant.now());
  }

  static Instant parse(String text, Instant now) {
    if (text == null) {
      return null;
    }
    Instant at;
    try {
      at = Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw CliException.badInput("--incident-start " + Echo.quoted(text) + " is not an ISO-8601 instant", EXAMPLE);
    }
    if (at.isAfter(now.plus(CLOCK_SKEW))) {
      throw CliException.badInput("--incident-start " + text + " is in the future", "give the time the outage began, " + EXAMPLE);
    }
    if (at.isBefore(now.minus(MAX_AGE))) {
      throw CliException.badInput("--incident-start " + text + " is more than " + MAX_AGE.toDays() + " days ago",
          "give the time the outage began, " + EXAMPLE + "; leave it out to count from now");
    }
    return at;
  }
}
