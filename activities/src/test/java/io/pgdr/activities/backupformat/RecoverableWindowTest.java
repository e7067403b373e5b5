package io.pgdr.activities.backupformat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.activities.backupformat.RecoverableWindow.LsnTarget;
import io.pgdr.activities.backupformat.RecoverableWindow.Refusal;
import io.pgdr.activities.backupformat.RecoverableWindow.Resolution;
import io.pgdr.activities.backupformat.RecoverableWindow.TargetRefused;
import io.pgdr.activities.backupformat.RecoverableWindow.TimeTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The recoverable window of synthetic archives: segment k of timeline 1 stored at T0 + k minutes,
 * a base backup starting in segment 2; after a PITR, timeline 2 branched off timeline 1 in segment
 * 9 while timeline 1's old primary archived on to segment 12.
 */
class RecoverableWindowTest {

  static final long SIZE = Lsn.DEFAULT_SEGMENT_SIZE;
  static final Instant T0 = Instant.parse("2025-01-10T02:00:00Z");
  static final Instant NOW = T0.plus(Duration.ofDays(1));

  static Instant at(int minutes, int seconds) {
    return T0.plusSeconds(minutes * 60L + seconds);
  }

  static WalArchive.Segment segment(int timeline, long number, Instant storedAt) {
    return new WalArchive.Segment(timeline, number, Lsn.segmentName(timeline, number, SIZE), storedAt, SIZE,
        Lsn.segmentName(timeline, number, SIZE));
  }

  static List<WalArchive.Segment> timeline1(int from, int to, int... missing) {
    List<Integer> gone = IntStream.of(missing).boxed().toList();
    return IntStream.rangeClosed(from, to).filter(n -> !gone.contains(n)).mapToObj(n -> segment(1, n, at(n, 0))).toList();
  }

  static BaseBackup base(String label, int timeline, String start, String stop, Instant stopTime) {
    return new BaseBackup(label, "db/base/" + label + "/", timeline, Lsn.parse(start), Lsn.parse(stop), stopTime == null ? null : stopTime.minusSeconds(30),
        stopTime, stopTime == null ? at(59, 0) : stopTime.plusSeconds(5), 3 << 20, List.of("base.tar.gz", "pg_wal.tar.gz", "backup_manifest"),
        "pgdr-base.json", null);
  }

  static final BaseBackup B1 = base("20250110T020100", 1, "0/2000028", "0/2000100", at(1, 30));
  static final BaseBackup B2 = base("20250110T020700", 1, "0/7000028", "0/7000100", at(7, 10));

  static WalArchive archive(List<WalArchive.Segment> segments, Map<Integer, TimelineHistory> histories, Map<Integer, Instant> stored) {
    return new WalArchive(SIZE, segments, List.of(), histories, stored, List.of());
  }

  static RecoverableWindow oneTimeline(List<BaseBackup> bases, int... missing) {
    return new RecoverableWindow(bases, archive(timeline1(1, 9, missing), Map.of(), Map.of()));
  }

  static TargetRefused refused(RecoverableWindow window, RecoverableWindow.Target target, Refusal expected) {
    TargetRefused e = assertThrows(TargetRefused.class, () -> window.resolve(target, NOW));
    assertEquals(expected, e.refusal(), e.getMessage());
    assertTrue(e.getMessage().contains("the recoverable window: "), e.getMessage());
    return e;
  }

  static List<String> names(int timeline, int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(n -> Lsn.segmentName(timeline, n, SIZE)).toList();
  }

  @Test
  void oneTimelineWindowRunsFromTheBaseStopToTheLastSegment() {
    RecoverableWindow window = oneTimeline(List.of(B1));

    assertEquals(1, window.timelines().size());
    RecoverableWindow.Timeline t = window.timelines().get(0);
    assertEquals(9, t.segments());
    assertEquals("000000010000000000000001", t.firstSegment());
    assertEquals("000000010000000000000009", t.lastSegment());
    assertTrue(t.gaps().isEmpty());
    assertEquals(List.of(new RecoverableWindow.Range(B1.label(), Lsn.parse("0/2000100"), at(1, 30), Lsn.parse("0/A000000"),
        "000000010000000000000009", at(9, 0), null)), t.recoverable());
    assertTrue(window.problems().isEmpty(), window.problems().toString());
    assertTrue(window.describe().contains("timeline 1 from 0/2000100 (2025-01-10T02:01:30Z) [base 20250110T020100] to 0/A000000"),
        window.describe());
  }

  @Test
  void timeTargetNeedsTheSegmentsUpToTheFirstStoredAfterIt() {
    Resolution r = oneTimeline(List.of(B1)).resolve(new TimeTarget(at(5, 30)), NOW);

    assertEquals(1, r.timeline());
    assertEquals(B1, r.base());
    // segment 6 was stored at 02:06, after the target: records of 02:05:30 may be in it; 2..5 were stored before
    assertEquals(names(1, 2, 6), r.segments());
    assertEquals(5 * SIZE, r.segmentBytes());
    assertEquals("000000010000000000000009", r.lastAvailable());
  }

  @Test
  void lsnTargetNeedsTheSegmentsUpToItsOwn() {
    Resolution r = oneTimeline(List.of(B1)).resolve(new LsnTarget(Lsn.parse("0/4000010"), null), NOW);
    assertEquals(names(1, 2, 4), r.segments());
    assertEquals(1, r.timeline());
  }

  @Test
  void theLatestBaseBackupBeforeTheTargetServesIt() {
    RecoverableWindow window = oneTimeline(List.of(B2, B1));
    assertEquals(B1, window.resolve(new TimeTarget(at(6, 0)), NOW).base());
    Resolution later = window.resolve(new TimeTarget(at(8, 30)), NOW);
    assertEquals(B2, later.base());
    assertEquals(names(1, 7, 9), later.segments());
    assertEquals(B2, window.resolve(new LsnTarget(Lsn.parse("0/7000100"), null), NOW).base(), "a target at the stop location is consistent");
    assertEquals(B1, window.resolve(new LsnTarget(Lsn.parse("0/70000FF"), null), NOW).base());
  }

  @Test
  void refusesBeforeTheEarliestBaseBackup() {
    RecoverableWindow window = oneTimeline(List.of(B1));
    TargetRefused e = refused(window, new TimeTarget(at(1, 0)), Refusal.BEFORE_EARLIEST_BASE);
    assertTrue(e.getMessage().contains("before the earliest base backup"), e.getMessage());
    assertTrue(e.getMessage().contains("[base 20250110T020100] to 0/A000000"), e.getMessage());
    refused(window, new LsnTarget(Lsn.parse("0/2000000"), null), Refusal.BEFORE_EARLIEST_BASE);
  }

  @Test
  void refusesAfterTheLastArchivedWal() {
    RecoverableWindow window = oneTimeline(List.of(B1));
    TargetRefused e = refused(window, new TimeTarget(at(9, 30)), Refusal.AFTER_LAST_WAL);
    assertTrue(e.getMessage().contains("after the last archived WAL (000000010000000000000009)"), e.getMessage());
    assertTrue(e.getMessage().contains("up to 2025-01-10T02:09:00Z at most: 000000010000000000000009 was stored then"), e.getMessage());
    refused(window, new LsnTarget(Lsn.parse("0/A000000"), null), Refusal.AFTER_LAST_WAL);
  }

  @Test
  void refusesInTheFutureAndMalformed() {
    RecoverableWindow window = oneTimeline(List.of(B1));
    refused(window, new TimeTarget(NOW.plusSeconds(1)), Refusal.IN_FUTURE);
    for (String bad : List.of("", "yesterday", "2025-01-10", "2025-13-10 02:00:00", "2025-01-10 25:00:00", "2025-01-10 02:00:00 CEST")) {
      assertEquals(Refusal.MALFORMED, assertThrows(TargetRefused.class, () -> RecoverableWindow.parseTime(bad), bad).refusal());
    }
    assertEquals(Refusal.MALFORMED, assertThrows(TargetRefused.class, () -> RecoverableWindow.parseLsn("0x3000028")).refusal());
    assertEquals(at(5, 30), RecoverableWindow.parseTime("2025-01-10 02:05:30"));
    assertEquals(at(5, 30), RecoverableWindow.parseTime("2025-01-10 03:05:30+01"));
    assertEquals(at(5, 30).plusNanos(123_456_000), RecoverableWindow.parseTime("2025-01-10T02:05:30.123456Z"));
    assertEquals(at(5, 30), RecoverableWindow.parseTime("2025-01-09 23:35:30-0230"));
  }

  @Test
  void aGapSplitsTheWindowAndATargetInsideItIsRefused() {
    RecoverableWindow window = oneTimeline(List.of(B1, B2), 5);

    RecoverableWindow.Timeline t = window.timelines().get(0);
    assertEquals(List.of(new RecoverableWindow.Gap("000000010000000000000005", "000000010000000000000005", 1)), t.gaps());
    assertEquals(Lsn.parse("0/5000000"), t.recoverable().get(0).to(), "base 1 reaches the gap");
    assertEquals(Lsn.parse("0/A000000"), t.recoverable().get(1).to(), "base 2 starts after it");
    assertEquals(names(1, 2, 4), window.resolve(new TimeTarget(at(3, 30)), NOW).segments(), "before the gap");
    TargetRefused e = refused(window, new TimeTarget(at(6, 30)), Refusal.IN_GAP);
    assertTrue(e.getMessage().contains("gap of the WAL archive after base backup 20250110T020100: 000000010000000000000005 missing"), e.getMessage());
    refused(window, new LsnTarget(Lsn.parse("0/6000010"), null), Refusal.IN_GAP);
    assertEquals(B2, window.resolve(new TimeTarget(at(8, 0)), NOW).base(), "after the next base backup");
  }

  @Test
  void aWiderGapIsNamedFromItsFirstToItsLastMissingSegment() {
    RecoverableWindow window = oneTimeline(List.of(B1), 4, 5, 6);
    assertEquals(List.of(new RecoverableWindow.Gap("000000010000000000000004", "000000010000000000000006", 3)),
        window.timelines().get(0).gaps());
    TargetRefused e = refused(window, new LsnTarget(Lsn.parse("0/8000000"), null), Refusal.IN_GAP);
    assertTrue(e.getMessage().contains("000000010000000000000004 to 000000010000000000000006 missing"), e.getMessage());
  }

  @Test
  void aBaseBackupWithoutTheWalToItsStopCannotServe() {
    RecoverableWindow window = oneTimeline(List.of(B1), 2);
    RecoverableWindow.Range r = window.timelines().get(0).recoverable().get(0);
    assertEquals("WAL to its stop location is missing: 000000010000000000000002 is not in the archive", r.problem());
    assertNull(r.to());
    refused(window, new TimeTarget(at(5, 0)), Refusal.IN_GAP);
    assertTrue(window.describe().startsWith("none"), window.describe());
  }

  @Test
  void withoutStopTimeTheBaseBackupIsReadyWhenItsLastObjectWasStored() {
    BaseBackup noTimes = new BaseBackup("b", "db/base/b/", 1, Lsn.parse("0/2000028"), Lsn.parse("0/2000100"), null, null, at(3, 0),
        1, List.of("base.tar.gz"), "backup_manifest", null);
    RecoverableWindow window = oneTimeline(List.of(noTimes));
    refused(window, new TimeTarget(at(2, 30)), Refusal.BEFORE_EARLIEST_BASE);
    assertEquals(noTimes, window.resolve(new TimeTarget(at(3, 0)), NOW).base());
  }

  @Test
  void unusableBaseBackupsAreProblemsNotWindows() {
    BaseBackup unknown = new BaseBackup("x", "db/base/x/", 0, null, null, null, null, at(3, 0), 1, List.of("base.tar.gz"), "the listing",
        "no pgdr-base.json, backup_manifest or .backup label with LABEL x: its WAL locations are unknown");
    RecoverableWindow window = oneTimeline(List.of(unknown));
    assertTrue(window.timelines().get(0).recoverable().isEmpty());
    assertEquals(List.of("base backup x: no pgdr-base.json, backup_manifest or .backup label with LABEL x: its WAL locations are unknown"),
        window.problems());
    TargetRefused e = refused(window, new TimeTarget(at(5, 0)), Refusal.BEFORE_EARLIEST_BASE);
    assertTrue(e.getMessage().startsWith("no usable base backup"), e.getMessage());
  }

  // --- after a PITR: timeline 2 off timeline 1 at 0/9000060, its history stored at T0+30m

  static final Lsn SWITCH = Lsn.parse("0/9000060");
  static final BaseBackup B3 = base("20250110T023330", 2, "0/C000028", "0/C000100", at(33, 50));

  static RecoverableWindow twoTimelines(List<BaseBackup> bases) {
    List<WalArchive.Segment> segments = new ArrayList<>(timeline1(1, 12));
    // timeline 2's first segment is 9, the one holding the switch point; stored from T0+31m on
    IntStream.rangeClosed(9, 16).forEach(n -> segments.add(segment(2, n, at(22 + n, 0))));
    Map<Integer, TimelineHistory> histories = new TreeMap<>();
    histories.put(2, TimelineHistory.parse(2, "1\t0/9000060\tbefore 2025-01-10 02:08:30+00\n"));
    return new RecoverableWindow(bases, archive(segments, histories, Map.of(2, at(30, 0))));
  }

  @Test
  void eachTimelineShowsItsSwitchesAndTheWindowOfItsLineage() {
    RecoverableWindow window = twoTimelines(List.of(B1, B3));

    RecoverableWindow.Timeline one = window.timelines().get(0);
    RecoverableWindow.Timeline two = window.timelines().get(1);
    assertEquals(List.of(new RecoverableWindow.Child(2, SWITCH, "before 2025-01-10 02:08:30+00")), one.children());
    assertEquals(List.of(B1.label()), one.recoverable().stream().map(RecoverableWindow.Range::base).toList(), "B3 is not on timeline 1");
    assertEquals(Lsn.parse("0/D000000"), one.recoverable().get(0).to());
    assertEquals(1, two.parent());
    assertEquals(SWITCH, two.begin());
    assertEquals(at(30, 0), two.createdBy());
    assertEquals("000000020000000000000009", two.firstSegment());
    assertTrue(two.gaps().isEmpty());
    assertEquals(List.of(B1.label(), B3.label()), two.recoverable().stream().map(RecoverableWindow.Range::base).toList());
    assertEquals(Lsn.parse("0/11000000"), two.recoverable().get(0).to(), "B1 reaches timeline 2's end through the switch");
  }

  @Test
  void aTimeBeforeTheNewTimelineWasCreatedIsOnTheOldOne() {
    RecoverableWindow window = twoTimelines(List.of(B1, B3));
    Resolution r = window.resolve(new TimeTarget(at(8, 30)), NOW);
    assertEquals(1, r.timeline());
    assertEquals(names(1, 2, 9), r.segments());
    // the old primary stopped archiving at 02:12; the PITR made timeline 2 at 02:30: nothing holds 02:20
    refused(window, new TimeTarget(at(20, 0)), Refusal.AFTER_LAST_WAL);
  }

  @Test
  void aTimeAfterTheNewTimelineWasCreatedFollowsItsHistory() {
    RecoverableWindow window = twoTimelines(List.of(B1));
    Resolution r = window.resolve(new TimeTarget(at(33, 30)), NOW);
    assertEquals(2, r.timeline());
    assertEquals(B1, r.base());
    List<String> expected = new ArrayList<>(names(1, 2, 8));
    expected.addAll(names(2, 9, 12));
    assertEquals(expected, r.segments(), "timeline 1 up to the switch's segment, timeline 2 from it; never timeline 1's 9-12");
    assertEquals("000000020000000000000010", r.lastAvailable());
  }

  @Test
  void aLaterBaseBackupOnTheNewTimelineServesLaterTargets() {
    RecoverableWindow window = twoTimelines(List.of(B1, B3));
    assertEquals(B1, window.resolve(new TimeTarget(at(33, 30)), NOW).base(), "B3 was consistent at 02:33:50 only");
    Resolution r = window.resolve(new TimeTarget(at(35, 30)), NOW);
    assertEquals(B3, r.base());
    assertEquals(2, r.timeline());
    assertEquals(names(2, 12, 14), r.segments());
  }

  @Test
  void aLocationBeforeTheBranchIsOnTheTimelineThatWroteIt() {
    RecoverableWindow window = twoTimelines(List.of(B1));
    Resolution r = window.resolve(new LsnTarget(Lsn.parse("0/5000000"), null), NOW);
    assertEquals(1, r.timeline());
    assertEquals(names(1, 2, 5), r.segments());
  }

  @Test
  void aLocationBothTimelinesWroteNeedsItsTimelineNamed() {
    RecoverableWindow window = twoTimelines(List.of(B1));
    TargetRefused e = refused(window, new LsnTarget(Lsn.parse("0/A000000"), null), Refusal.AMBIGUOUS_TIMELINE);
    assertTrue(e.getMessage().contains("written on timelines 1 and 2"), e.getMessage());

    Resolution onTwo = window.resolve(new LsnTarget(Lsn.parse("0/A000000"), 2), NOW);
    assertEquals(2, onTwo.timeline());
    List<String> expected = new ArrayList<>(names(1, 2, 8));
    expected.addAll(names(2, 9, 10));
    assertEquals(expected, onTwo.segments());
    assertEquals(names(1, 2, 10), window.resolve(new LsnTarget(Lsn.parse("0/A000000"), 1), NOW).segments());
    refused(window, new LsnTarget(Lsn.parse("0/A000000"), 7), Refusal.UNKNOWN_TIMELINE);
    // a location only timeline 2 wrote (timeline 1 stopped at segment 12)
    assertEquals(2, window.resolve(new LsnTarget(Lsn.parse("0/E000000"), null), NOW).timeline());
  }

  @Test
  void aMissingFirstSegmentOfTheNewTimelineIsAGapOfItsLineage() {
    List<WalArchive.Segment> segments = new ArrayList<>(timeline1(1, 12));
    IntStream.rangeClosed(10, 12).forEach(n -> segments.add(segment(2, n, at(22 + n, 0))));
    RecoverableWindow window = new RecoverableWindow(List.of(B1), archive(segments,
        Map.of(2, TimelineHistory.parse(2, "1\t0/9000060\tx\n")), Map.of(2, at(30, 0))));

    assertEquals(List.of(new RecoverableWindow.Gap("000000020000000000000009", "000000020000000000000009", 1)),
        window.timelines().get(1).gaps());
    TargetRefused e = refused(window, new TimeTarget(at(33, 0)), Refusal.IN_GAP);
    assertTrue(e.getMessage().contains("000000020000000000000009 missing"), e.getMessage());
  }

  @Test
  void aTimelineWithoutItsHistoryIsReportedAndNotChosenByTime() {
    List<WalArchive.Segment> segments = new ArrayList<>(timeline1(1, 9));
    segments.add(segment(3, 10, at(40, 0)));
    RecoverableWindow window = new RecoverableWindow(List.of(B1), archive(segments, Map.of(), Map.of()));
    assertEquals(List.of("timeline 3 has no 00000003.history: its ancestry is unknown, so it is read as a root"), window.problems());
    refused(window, new TimeTarget(at(45, 0)), Refusal.AFTER_LAST_WAL);
  }
}
