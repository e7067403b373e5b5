package io.pgdr.activities.backupformat;

import java.util.ArrayList;
import java.util.List;

/**
 * A timeline history file ({@code 00000003.history}): the ancestors of a timeline, one line each,
 * {@code <parent timeline>\t<switch point LSN>\t<reason>}, oldest first. Timeline 3 branched from
 * the last line's timeline at its switch point; WAL up to a line's switch point is on that line's
 * timeline. Lines starting with {@code #} and blank lines are comments, as PostgreSQL reads them.
 *
 * @param timeline the timeline the file describes (its name)
 * @param switches its ancestors, oldest first
 */
public record TimelineHistory(int timeline, List<Switch> switches) {

  /**
   * @param parent the timeline that was left
   * @param at the switch point: the first location of the next timeline in the lineage
   * @param reason what PostgreSQL wrote (e.g. {@code no recovery target specified}, {@code before 2025-01-10 02:30:00+00})
   */
  public record Switch(int parent, Lsn at, String reason) {}

  public TimelineHistory {
    switches = List.copyOf(switches);
  }

  /** A timeline with no history file: timeline 1, or one whose file is missing. */
  public static TimelineHistory root(int timeline) {
    return new TimelineHistory(timeline, List.of());
  }

  /** @throws IllegalArgumentException naming the line that is not a history line */
  public static TimelineHistory parse(int timeline, String text) {
    List<Switch> switches = new ArrayList<>();
    int lineNumber = 0;
    for (String line : text.split("\n", -1)) {
      lineNumber++;
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] fields = trimmed.split("\\s+", 3);
      try {
        int parent = Integer.parseUnsignedInt(fields[0]);
        Lsn at = Lsn.parse(fields[1]);
        if (parent >= timeline || (!switches.isEmpty() && (parent <= switches.get(switches.size() - 1).parent()
            || at.isBefore(switches.get(switches.size() - 1).at())))) {
          throw new IllegalArgumentException("timelines and switch points must increase, and stay below " + timeline);
        }
        switches.add(new Switch(parent, at, fields.length > 2 ? fields[2].strip() : ""));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(String.format("%08X.history line %d is not <timeline> <switch LSN> <reason>: %s (%s)",
            timeline, lineNumber, trimmed, e.getMessage()), e);
      }
    }
    return new TimelineHistory(timeline, switches);
  }

  /** The timeline this one branched from, or 0 for a root. */
  public int parent() {
    return switches.isEmpty() ? 0 : switches.get(switches.size() - 1).parent();
  }

  /** Where this timeline begins: its last ancestor's switch point, or 0/0 for a root. */
  public Lsn begin() {
    return switches.isEmpty() ? new Lsn(0) : switches.get(switches.size() - 1).at();
  }
}
