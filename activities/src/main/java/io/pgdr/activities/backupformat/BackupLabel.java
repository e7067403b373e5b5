package io.pgdr.activities.backupformat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A backup label as PostgreSQL writes it: the {@code backup_label} inside a base backup, and the
 * backup history file {@code <segment>.<offset>.backup} it archives at the end of one (the same
 * lines plus {@code STOP WAL LOCATION}, {@code STOP TIME} and {@code STOP TIMELINE}). Absent lines
 * are null; times are PostgreSQL's {@code %Y-%m-%d %H:%M:%S %Z} in the server's log_timezone.
 */
public record BackupLabel(Lsn startLsn, Lsn stopLsn, Lsn checkpointLsn, Instant startTime, Instant stopTime, String label,
    Integer startTimeline, Integer stopTimeline) {

  private static final Pattern LOCATION = Pattern.compile("([0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8})(?:\\s.*)?");
  private static final Pattern TIME = Pattern.compile("(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?)\\s*(\\S+)?");
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS][.SSS]");
  private static final DateTimeFormatter ZONE_NAME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", java.util.Locale.ENGLISH);

  /** @throws IllegalArgumentException when START WAL LOCATION is missing or a line's value is not what it should be */
  public static BackupLabel parse(String text) {
    Lsn start = null;
    Lsn stop = null;
    Lsn checkpoint = null;
    Instant startTime = null;
    Instant stopTime = null;
    String label = null;
    Integer startTimeline = null;
    Integer stopTimeline = null;
    for (String line : text.split("\n")) {
      int colon = line.indexOf(": ");
      if (colon < 0) {
        continue;
      }
      String name = line.substring(0, colon).strip();
      String value = line.substring(colon + 2).strip();
      switch (name) {
        case "START WAL LOCATION" -> start = location(name, value);
        case "STOP WAL LOCATION" -> stop = location(name, value);
        case "CHECKPOINT LOCATION" -> checkpoint = location(name, value);
        case "START TIME" -> startTime = time(name, value);
        case "STOP TIME" -> stopTime = time(name, value);
        case "LABEL" -> label = value;
        case "START TIMELINE" -> startTimeline = timeline(name, value);
        case "STOP TIMELINE" -> stopTimeline = timeline(name, value);
        default -> { }
      }
    }
    if (start == null) {
      throw new IllegalArgumentException("no START WAL LOCATION line: not a backup label");
    }
    return new BackupLabel(start, stop, checkpoint, startTime, stopTime, label, startTimeline, stopTimeline);
  }

  private static Lsn location(String name, String value) {
    Matcher m = LOCATION.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException(name + ": " + value + " is not a WAL location");
    }
    return Lsn.parse(m.group(1));
  }

  private static Integer timeline(String name, String value) {
    try {
      return Integer.parseUnsignedInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": " + value + " is not a timeline");
    }
  }

  /**
   * PostgreSQL prints the zone as log_timezone's abbreviation ({@code UTC}, {@code CET}) or, for a
   * zone without one, as an offset ({@code +03}, {@code -0330}).
   */
  static Instant time(String name, String value) {
    Matcher m = TIME.matcher(value);
    if (!m.matches()) {
      throw new IllegalArgumentException(name + ": " + value + " is not a time");
    }
    LocalDateTime local = LocalDateTime.parse(m.group(1), LOCAL);
    String zone = m.group(2);
    try {
      if (zone == null || zone.equals("UTC") || zone.equals("GMT") || zone.equals("Z")) {
        return local.toInstant(ZoneOffset.UTC);
      }
      if (zone.matches("[+-]\\d{2}(:?\\d{2})?")) {
        return local.toInstant(ZoneOffset.of(zone.length() == 5 ? zone.substring(0, 3) + ":" + zone.substring(3) : zone));
      }
      if (zone.contains("/")) {
        return local.atZone(ZoneId.of(zone)).toInstant();
      }
      return Instant.from(ZONE_NAME.parse(m.group(1).substring(0, 19) + " " + zone)).plusNanos(local.getNano());
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException(name + ": " + value + " has a zone pgdr cannot read (" + zone + ")");
    }
  }
}
