package io.pgdr.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.temporal.client.schedules.ScheduleCalendarSpec;
import io.temporal.client.schedules.ScheduleRange;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class DrillCalendarTest {

  private static final ZonedDateTime NOW = ZonedDateTime.parse("2026-12-07T16:30:00Z");

  private static List<String> next(String calendar, ZonedDateTime after, int count) {
    return DrillCalendar.parse(calendar).next(after, count).stream().map(ZonedDateTime::toString).toList();
  }

  @Test
  void theDefaultIsTheFirstOfEachMonthAt0300Utc() {
    assertEquals(List.of("2027-01-01T03:00Z", "2027-02-01T03:00Z", "2027-03-01T03:00Z"), next(null, NOW, 3));
    assertEquals(next(null, NOW, 3), next("monthly", NOW, 3));
    assertEquals(List.of("2026-12-01T03:00Z"), next(null, ZonedDateTime.parse("2026-11-30T21:00-05:00"), 1),
        "03:00 UTC, whatever zone the time is given in");
    assertEquals(List.of("2027-01-01T03:00Z"), next(null, ZonedDateTime.parse("2026-12-01T03:00Z"), 1), "strictly after");

    ScheduleCalendarSpec spec = DrillCalendar.parse(null).spec().getCalendars().get(0);
    assertEquals(List.of(new ScheduleRange(1)), spec.getDayOfMonth());
    assertEquals(List.of(new ScheduleRange(3)), spec.getHour());
    assertEquals(List.of(new ScheduleRange(0)), spec.getMinutes());
    assertEquals(12, spec.getMonth().size());
    assertEquals(7, spec.getDayOfWeek().size());
    assertEquals("UTC", DrillCalendar.parse(null).spec().getTimeZoneName());
  }

  @Test
  void aCustomCalendarFiresWhereEveryFieldMatches() {
    assertEquals(List.of("2026-12-13T03:00Z", "2026-12-20T03:00Z"), next("weekly", NOW, 2), "Sundays");
    assertEquals(List.of("2026-12-15T02:30Z", "2027-01-01T02:30Z", "2027-01-15T02:30Z"),
        next("day-of-month=1,15 hour=2 minute=30", NOW, 3));
    assertEquals(List.of("2027-01-01T06:00Z", "2027-01-01T18:00Z", "2028-01-01T06:00Z"),
        next("month=1 day-of-month=1 hour=6,18", NOW, 3));
    // Friday the 13th: both day fields must match, as in Temporal's calendar specs (not cron's either-or)
    assertEquals(List.of("2027-08-13T00:00Z", "2028-10-13T00:00Z"), next("day-of-month=13 day-of-week=FRI", NOW, 2));
  }

  @Test
  void badCalendarsSayWhatIsWrong() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DrillCalendar.parse("hour=25")).getMessage()
        .startsWith("25 is outside 0..23"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DrillCalendar.parse("fortnightly")).getMessage()
        .startsWith("calendar field 'fortnightly' is not name=value"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DrillCalendar.parse("day-of-week=FUNDAY")).getMessage()
        .startsWith("'FUNDAY' is not a number from 0 to 6 or one of SUN, MON"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DrillCalendar.parse("second=5")).getMessage()
        .startsWith("unknown calendar field second"));
    assertEquals(List.of(), next("month=2 day-of-month=30", NOW, 1), "a calendar that never fires has no next time");
  }
}
