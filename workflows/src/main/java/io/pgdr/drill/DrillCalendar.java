package io.pgdr.drill;

import io.temporal.client.schedules.ScheduleCalendarSpec;
import io.temporal.client.schedules.ScheduleRange;
import io.temporal.client.schedules.ScheduleSpec;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * When scheduled drills run, in UTC: {@code monthly} (the default: day 1 at 03:00, runbook 000 §6
 * "test failover monthly"), {@code weekly} (Sunday 03:00, "verify backups weekly"), or fields such as
 * {@code "day-of-month=1,15 hour=2 minute=30"} ({@code month}, {@code day-of-month},
 * {@code day-of-week} as MON..SUN, {@code hour}, {@code minute}; comma-separated lists; a field left
 * out means every value, but hour and minute, which mean 0). Every field must match, as in
 * Temporal's calendar specs. Pure: the Temporal Schedule's spec and the next fire times come from
 * the same fields.
 */
public record DrillCalendar(String text, TreeSet<Integer> months, TreeSet<Integer> daysOfMonth, TreeSet<Integer> daysOfWeek,
    TreeSet<Integer> hours, TreeSet<Integer> minutes) {

  public static final String MONTHLY = "monthly";
  public static final String WEEKLY = "weekly";

  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  /** The calendar {@code text} names; throws IllegalArgumentException with what is wrong and what would do. */
  public static DrillCalendar parse(String text) {
    String given = text == null || text.isBlank() ? MONTHLY : text.trim();
    String fields = switch (given.toLowerCase(Locale.ROOT)) {
      case MONTHLY -> "day-of-month=1 hour=3 minute=0";
      case WEEKLY -> "day-of-week=SUN hour=3 minute=0";
      default -> given;
    };
    Map<String, String> byName = new LinkedHashMap<>();
    for (String field : fields.split("\\s+")) {
      String[] pair = field.split("=", 2);
      if (pair.length != 2 || pair[1].isEmpty()) {
        throw new IllegalArgumentException("calendar field '" + field + "' is not name=value" + EXAMPLE);
      }
      if (byName.put(pair[0].toLowerCase(Locale.ROOT), pair[1]) != null) {
        throw new IllegalArgumentException("calendar field " + pair[0] + " is given twice" + EXAMPLE);
      }
    }
    TreeSet<Integer> months = values(byName.remove("month"), 1, 12, null);
    TreeSet<Integer> dom = values(byName.remove("day-of-month"), 1, 31, null);
    TreeSet<Integer> dow = values(byName.remove("day-of-week"), 0, 6, DAYS);
    TreeSet<Integer> hours = values(byName.remove("hour"), 0, 23, null);
    TreeSet<Integer> minutes = values(byName.remove("minute"), 0, 59, null);
    if (!byName.isEmpty()) {
      throw new IllegalArgumentException("unknown calendar field " + String.join(", ", byName.keySet())
          + " (the fields are month, day-of-month, day-of-week, hour, minute)" + EXAMPLE);
    }
    return new DrillCalendar(given, months == null ? range(1, 12) : months, dom == null ? range(1, 31) : dom,
        dow == null ? range(0, 6) : dow, hours == null ? range(0, 0) : hours, minutes == null ? range(0, 0) : minutes);
  }

  private static final String EXAMPLE = "; e.g. monthly, weekly or \"day-of-month=1 hour=3 minute=0\" (UTC)";

  private static TreeSet<Integer> values(String list, int min, int max, List<String> names) {
    if (list == null) {
      return null;
    }
    TreeSet<Integer> values = new TreeSet<>();
    for (String item : list.split(",")) {
      String value = item.trim().toUpperCase(Locale.ROOT);
      int number;
      if (names != null && names.contains(value)) {
        number = names.indexOf(value);
      } else {
        try {
          number = Integer.parseInt(value);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("'" + item + "' is not a number from " + min + " to " + max
              + (names == null ? "" : " or one of " + String.join(", ", names)) + EXAMPLE);
        }
      }
      if (number < min || number > max) {
        throw new IllegalArgumentException(number + " is outside " + min + ".." + max + EXAMPLE);
      }
      values.add(number);
    }
    return values;
  }

  private static TreeSet<Integer> range(int from, int to) {
    return new TreeSet<>(IntStream.rangeClosed(from, to).boxed().toList());
  }

  /** The Temporal Schedule's spec: one calendar, in UTC. */
  public ScheduleSpec spec() {
    return ScheduleSpec.newBuilder().setTimeZoneName("UTC").setCalendars(List.of(ScheduleCalendarSpec.newBuilder()
        .setSeconds(List.of(new ScheduleRange(0)))
        .setMinutes(ranges(minutes)).setHour(ranges(hours))
        .setDayOfMonth(ranges(daysOfMonth)).setMonth(ranges(months)).setDayOfWeek(ranges(daysOfWeek))
        .setComment("pgdr drill: " + text)
        .build())).build();
  }

  private static List<ScheduleRange> ranges(TreeSet<Integer> values) {
    return values.stream().map(ScheduleRange::new).toList();
  }

  /** The next {@code count} times, strictly after {@code after}, the calendar fires. */
  public List<ZonedDateTime> next(ZonedDateTime after, int count) {
    ZonedDateTime from = after.withZoneSameInstant(ZoneOffset.UTC);
    List<ZonedDateTime> times = new ArrayList<>();
    // every combination repeats within 28 years (the weekday and leap-year cycle): no calendar runs longer without a match
    for (LocalDate day = from.toLocalDate(); times.size() < count && day.isBefore(from.toLocalDate().plusYears(28)); day = day.plusDays(1)) {
      if (!months.contains(day.getMonthValue()) || !daysOfMonth.contains(day.getDayOfMonth())
          || !daysOfWeek.contains(day.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : day.getDayOfWeek().getValue())) {
        continue;
      }
      for (int hour : hours) {
        for (int minute : minutes) {
          ZonedDateTime time = day.atTime(hour, minute).atZone(ZoneOffset.UTC);
          if (time.isAfter(from) && times.size() < count) {
            times.add(time);
          }
        }
      }
    }
    return times;
  }
}
