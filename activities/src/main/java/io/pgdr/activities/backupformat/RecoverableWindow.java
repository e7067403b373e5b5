package io.pgdr.activities.backupformat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What a physical archive (base backups and a WAL archive) can recover to, per timeline, as
 * {@code pgbackrest info} shows it: each timeline's segments, gaps and switches, and for every base
 * backup on a timeline's lineage the WAL that follows it without a gap. {@link #resolve} answers
 * which timeline and base backup serve a target, or refuses naming the window.
 *
 * <p>Recovery of timeline T reads, for each segment number, the file of the newest timeline in T's
 * lineage that had begun by that segment (as PostgreSQL's XLogFileReadAnyTLI does): the segment
 * holding a switch point comes from the new timeline, the old timeline's {@code .partial} is never read.
 *
 * <p>Times: WAL segments carry no commit times pgdr can read without replaying them. The bounds used
 * are the base backups' START/STOP TIME (from their {@code .backup} labels or pgdr-base.json), and the
 * S3 last-modified time of each object: a segment was stored after every record in it was written, a
 * history file right after its timeline began, a base backup's last object after it was consistent.
 * So a time check here is necessary, not sufficient: the recovery itself still checks it reached the
 * target (PostgreSQL fails when recovery ends before the target).
 */
public final class RecoverableWindow {

  /** Why a target is refused. */
  public enum Refusal { MALFORMED, IN_FUTURE, BEFORE_EARLIEST_BASE, AFTER_LAST_WAL, IN_GAP, AMBIGUOUS_TIMELINE, UNKNOWN_TIMELINE }

  /** A target refused before anything is touched; the message names the window. */
  public static final class TargetRefused extends RuntimeException {
    private final Refusal refusal;

    TargetRefused(Refusal refusal, String message) {
      super(message);
      this.refusal = refusal;
    }

    public Refusal refusal() {
      return refusal;
    }
  }

  /** A recovery target: a time, or a WAL location on an optional timeline. */
  public sealed interface Target permits TimeTarget, LsnTarget {}

  public record TimeTarget(Instant time) implements Target {}

  /** @param timeline the timeline the location is on; null to find it (refused when two timelines hold it) */
  public record LsnTarget(Lsn lsn, Integer timeline) implements Target {}

  /**
   * What serves a target.
   *
   * @param timeline the recovery_target_timeline to set
   * @param base the base backup to restore
   * @param segments the segment files recovery needs at least, in order (base's start to the target's
   *     segment), named as stored (a compressed one with its suffix)
   * @param following the segment files after them without a gap, in order (recovery may read on until it finds a commit past a time target)
   */
  public record Resolution(int timeline, BaseBackup base, List<String> segments, long segmentBytes, List<String> following) {

    public Resolution {
      segments = List.copyOf(segments);
      following = List.copyOf(following);
    }

    /** The last segment without a gap after the base backup's start. */
    public String lastAvailable() {
      return following.isEmpty() ? segments.get(segments.size() - 1) : following.get(following.size() - 1);
    }
  }

  /**
   * A run of WAL from a base backup.
   *
   * @param to the end of the last segment without a gap after the base's start
   * @param toBy when that last segment was stored
   * @param problem why the base backup cannot be used on this timeline (WAL to its stop missing), or null
   */
  public record Range(String base, Lsn from, Instant fromTime, Lsn to, String lastSegment, Instant toBy, String problem) {}

  /** Missing segment files of one timeline's lineage, {@code from} to {@code to} inclusive. */
  public record Gap(String from, String to, long missing) {}

  /** A timeline branched off this one. */
  public record Child(int timeline, Lsn at, String reason) {}

  /**
   * One timeline as the archive shows it.
   *
   * @param parent its parent, 0 for a root
   * @param begin its switch point off the parent (0/0 for a root)
   * @param createdBy when its history file was stored (null for a root)
   * @param gaps missing files from where it begins to its last segment
   */
  public record Timeline(int timeline, int parent, Lsn begin, Instant createdBy, int segments, String firstSegment, String lastSegment,
      Instant lastStoredAt, List<Gap> gaps, List<Child> children, List<Range> recoverable) {}

  private record PathEntry(int timeline, Lsn begin, Lsn end) {}

  private final WalArchive archive;
  private final List<BaseBackup> baseBackups;
  private final Map<Integer, NavigableMap<Long, WalArchive.Segment>> byTimeline = new TreeMap<>();
  private final List<Timeline> timelines = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();

  public RecoverableWindow(List<BaseBackup> baseBackups, WalArchive archive) {
    this.archive = archive;
    this.baseBackups = baseBackups.stream().sorted(Comparator.comparing(BaseBackup::label)).toList();
    for (WalArchive.Segment s : archive.segments()) {
      byTimeline.computeIfAbsent(s.timeline(), t -> new TreeMap<>()).put(s.number(), s);
    }
    problems.addAll(archive.problems());
    Set<Integer> ids = new TreeSet<>(byTimeline.keySet());
    ids.addAll(archive.histories().keySet());
    archive.histories().values().forEach(h -> h.switches().forEach(s -> ids.add(s.parent())));
    baseBackups.stream().filter(b -> b.timeline() > 0).forEach(b -> ids.add(b.timeline()));
    for (int id : ids) {
      if (id > 1 && !archive.histories().containsKey(id)) {
        problems.add(String.format("timeline %d has no %08X.history: its ancestry is unknown, so it is read as a root", id, id));
      }
      timelines.add(timeline(id));
    }
    for (BaseBackup b : baseBackups) {
      if (!b.usable()) {
        problems.add("base backup " + b.label() + ": " + (b.problem() != null ? b.problem() : "its WAL locations and timeline are not known"));
      }
    }
  }

  public long segmentSize() {
    return archive.segmentSize();
  }

  public List<Timeline> timelines() {
    return List.copyOf(timelines);
  }

  public List<BaseBackup> baseBackups() {
    return baseBackups;
  }

  public List<String> partials() {
    return archive.partials();
  }

  public List<String> problems() {
    return List.copyOf(problems);
  }

  private TimelineHistory history(int id) {
    return archive.histories().getOrDefault(id, TimelineHistory.root(id));
  }

  private List<PathEntry> path(int id) {
    List<PathEntry> path = new ArrayList<>();
    Lsn begin = new Lsn(0);
    for (TimelineHistory.Switch s : history(id).switches()) {
      path.add(new PathEntry(s.parent(), begin, s.at()));
      begin = s.at();
    }
    path.add(new PathEntry(id, begin, null));
    return path;
  }

  /** The timeline whose file recovery of this lineage reads for a segment. */
  private int servingTimeline(List<PathEntry> path, long segment) {
    for (int i = path.size() - 1; i > 0; i--) {
      if (path.get(i).begin().segment(segmentSize()) <= segment) {
        return path.get(i).timeline();
      }
    }
    return path.get(0).timeline();
  }

  private WalArchive.Segment present(List<PathEntry> path, long segment) {
    NavigableMap<Long, WalArchive.Segment> own = byTimeline.get(servingTimeline(path, segment));
    return own == null ? null : own.get(segment);
  }

  private String name(List<PathEntry> path, long segment) {
    return Lsn.segmentName(servingTimeline(path, segment), segment, segmentSize());
  }

  /** The last segment number reached from {@code from} without a gap; {@code from - 1} when {@code from} itself is missing. */
  private long contiguousEnd(List<PathEntry> path, long from) {
    long at = from;
    while (present(path, at) != null) {
      at++;
    }
    return at - 1;
  }

  /** The first segment of the lineage after {@code after} that is in the archive, or -1. */
  private long nextPresent(List<PathEntry> path, long after) {
    long next = -1;
    for (PathEntry e : path) {
      NavigableMap<Long, WalArchive.Segment> own = byTimeline.get(e.timeline());
      if (own == null) {
        continue;
      }
      for (WalArchive.Segment s : own.tailMap(after, false).values()) {
        if (servingTimeline(path, s.number()) == e.timeline()) {
          next = next < 0 ? s.number() : Math.min(next, s.number());
          break;
        }
      }
    }
    return next;
  }

  /** Whether a base backup's start lies on a lineage. */
  private static boolean onPath(List<PathEntry> path, BaseBackup b) {
    return b.usable() && path.stream().anyMatch(e -> e.timeline() == b.timeline() && !b.startLsn().isBefore(e.begin())
        && (e.end() == null || b.startLsn().isBefore(e.end())));
  }

  private Timeline timeline(int id) {
    TimelineHistory history = history(id);
    List<PathEntry> path = path(id);
    NavigableMap<Long, WalArchive.Segment> own = byTimeline.getOrDefault(id, new TreeMap<>());
    List<Gap> gaps = new ArrayList<>();
    if (!own.isEmpty()) {
      long expected = history.switches().isEmpty() ? own.firstKey() : history.begin().segment(segmentSize());
      for (long n : own.keySet()) {
        if (n > expected) {
          gaps.add(new Gap(Lsn.segmentName(id, expected, segmentSize()), Lsn.segmentName(id, n - 1, segmentSize()), n - expected));
        }
        expected = n + 1;
      }
    }
    List<Child> children = archive.histories().values().stream().filter(h -> h.parent() == id)
        .map(h -> new Child(h.timeline(), h.begin(), h.switches().get(h.switches().size() - 1).reason())).toList();
    List<Range> ranges = new ArrayList<>();
    for (BaseBackup b : baseBackups) {
      if (!onPath(path, b)) {
        continue;
      }
      long start = b.startLsn().segment(segmentSize());
      long end = contiguousEnd(path, start);
      long stopSegment = b.stopLsn().segment(segmentSize());
      String problem = end < stopSegment
          ? "WAL to its stop location is missing: " + name(path, end + 1) + " is not in the archive" : null;
      WalArchive.Segment last = end >= start ? present(path, end) : null;
      ranges.add(new Range(b.label(), b.stopLsn(), b.stopTime(), problem != null ? null : Lsn.ofSegmentStart(end + 1, segmentSize()),
          last == null ? null : last.name(), last == null ? null : last.storedAt(), problem));
    }
    return new Timeline(id, history.parent(), history.begin(), archive.historyStored().get(id), own.size(),
        own.isEmpty() ? null : own.firstEntry().getValue().name(), own.isEmpty() ? null : own.lastEntry().getValue().name(),
        own.isEmpty() ? null : own.lastEntry().getValue().storedAt(), gaps, children, ranges);
  }

  /**
   * The timeline and base backup that serve a target, with the segments recovery needs.
   *
   * <p>A time selects the timeline that was live then: the one whose history file was stored last
   * before it (timeline 1, or a root, before any), never blindly the latest. A location selects
   * the timeline it was written on; when two timelines both wrote it (after their branch point) the
   * caller must name one.
   *
   * @param now a time target after it is in the future
   * @throws TargetRefused naming the window
   */
  public Resolution resolve(Target target, Instant now) {
    if (baseBackups.stream().noneMatch(BaseBackup::usable)) {
      throw refuse(Refusal.BEFORE_EARLIEST_BASE, "no usable base backup under base/");
    }
    return target instanceof TimeTarget t ? resolveTime(t.time(), now) : resolveLsn((LsnTarget) target);
  }

  private Resolution resolveTime(Instant time, Instant now) {
    if (time.isAfter(now)) {
      throw refuse(Refusal.IN_FUTURE, "target time " + time + " is in the future (now " + now + ")");
    }
    Timeline live = timelines.stream().filter(t -> created(t) != null && !created(t).isAfter(time))
        .max(Comparator.comparing(this::created).thenComparing(Timeline::timeline)).orElse(null);
    if (live == null) {
      throw refuse(Refusal.UNKNOWN_TIMELINE, "no timeline of the archive existed at " + time);
    }
    List<PathEntry> path = path(live.timeline());
    BaseBackup base = baseBackups.stream().filter(b -> onPath(path, b) && !b.readyBy().isAfter(time))
        .max(Comparator.comparing(BaseBackup::stopLsn)).orElse(null);
    if (base == null) {
      throw refuse(Refusal.BEFORE_EARLIEST_BASE, "target time " + time + " is before the earliest base backup of timeline "
          + live.timeline() + "'s lineage was consistent");
    }
    long start = base.startLsn().segment(segmentSize());
    long needed = Math.max(start, base.stopLsn().segment(segmentSize()));
    long at = start;
    while (true) {
      WalArchive.Segment s = present(path, at);
      if (s == null) {
        break;
      }
      if (at >= needed && !s.storedAt().isBefore(time)) {
        return resolution(live.timeline(), base, path, start, at);
      }
      at++;
    }
    WalArchive.Segment last = at > start ? present(path, at - 1) : null;
    return refuseMissing(path, base, at, "target time " + time + (last == null ? ""
        : " (the WAL without a gap holds records up to " + last.storedAt() + " at most: " + last.name() + " was stored then)"));
  }

  /** When a timeline existed from at the latest: always, for the first root; when its history file was stored, for a child; never known for another root. */
  private Instant created(Timeline t) {
    return t.parent() != 0 ? t.createdBy() : t.timeline() == timelines.get(0).timeline() ? Instant.MIN : null;
  }

  private Resolution resolveLsn(LsnTarget target) {
    Lsn lsn = target.lsn();
    int timeline;
    if (target.timeline() != null) {
      timeline = target.timeline();
      if (timelines.stream().noneMatch(t -> t.timeline() == timeline)) {
        throw refuse(Refusal.UNKNOWN_TIMELINE, "timeline " + timeline + " is not in the archive");
      }
    } else {
      Set<Integer> writers = new TreeSet<>();
      for (Timeline t : timelines) {
        List<PathEntry> path = path(t.timeline());
        if (present(path, lsn.segment(segmentSize())) != null) {
          path.stream().filter(e -> !lsn.isBefore(e.begin()) && (e.end() == null || lsn.isBefore(e.end())))
              .forEach(e -> writers.add(e.timeline()));
        }
      }
      if (writers.size() > 1) {
        throw refuse(Refusal.AMBIGUOUS_TIMELINE, "location " + lsn + " was written on timelines "
            + writers.stream().map(String::valueOf).collect(Collectors.joining(" and ")) + " (they branched before it): name the timeline");
      }
      timeline = writers.isEmpty() ? timelineToReportAgainst() : writers.iterator().next();
    }
    List<PathEntry> path = path(timeline);
    BaseBackup base = baseBackups.stream().filter(b -> onPath(path, b) && !lsn.isBefore(b.stopLsn()))
        .max(Comparator.comparing(BaseBackup::stopLsn)).orElse(null);
    if (base == null) {
      throw refuse(Refusal.BEFORE_EARLIEST_BASE, "location " + lsn + " is before the stop location of the earliest base backup on timeline "
          + timeline + "'s lineage");
    }
    long start = base.startLsn().segment(segmentSize());
    long needed = lsn.segment(segmentSize());
    long end = contiguousEnd(path, start);
    if (end >= needed) {
      return resolution(timeline, base, path, start, needed);
    }
    return refuseMissing(path, base, end + 1, "location " + lsn + " on timeline " + timeline);
  }

  /** For a location no archived segment holds (it is refused): the timeline with the most WAL, to name in the refusal. */
  private int timelineToReportAgainst() {
    return timelines.stream().max(Comparator.comparing((Timeline t) -> t.segments()).thenComparing(Timeline::timeline))
        .map(Timeline::timeline).orElse(1);
  }

  private Resolution refuseMissing(List<PathEntry> path, BaseBackup base, long missing, String what) {
    long next = nextPresent(path, missing);
    if (next >= 0) {
      throw refuse(Refusal.IN_GAP, what + " lies in a gap of the WAL archive after base backup " + base.label() + ": "
          + name(path, missing) + (next - 1 > missing ? " to " + name(path, next - 1) : "") + " missing");
    }
    throw refuse(Refusal.AFTER_LAST_WAL, what + " is after the last archived WAL"
        + (missing > 0 && present(path, missing - 1) != null ? " (" + name(path, missing - 1) + ")" : "") + " of base backup " + base.label());
  }

  private Resolution resolution(int timeline, BaseBackup base, List<PathEntry> path, long from, long to) {
    List<String> names = new ArrayList<>();
    long bytes = 0;
    for (long n = from; n <= to; n++) {
      WalArchive.Segment s = present(path, n);
      names.add(s.stored());
      bytes += s.sizeBytes();
    }
    List<String> following = new ArrayList<>();
    for (long n = to + 1, end = contiguousEnd(path, from); n <= end; n++) {
      following.add(present(path, n).stored());
    }
    return new Resolution(timeline, base, names, bytes, following);
  }

  /**
   * For a target only replay can find (a transaction id, a restore point's name): the earliest
   * usable base backup on the timeline's lineage, the WAL to its consistency point, and all the WAL
   * after it without a gap. Recovery that does not meet the target fails then, never silently.
   *
   * @param timeline the timeline to recover along; null for the newest (PostgreSQL's {@code latest})
   */
  public Resolution resolveFromEarliest(Integer timeline) {
    int id = timeline != null ? timeline : timelines.stream().mapToInt(Timeline::timeline).max()
        .orElseThrow(() -> refuse(Refusal.UNKNOWN_TIMELINE, "the archive holds no timeline"));
    if (timelines.stream().noneMatch(t -> t.timeline() == id)) {
      throw refuse(Refusal.UNKNOWN_TIMELINE, "timeline " + id + " is not in the archive");
    }
    List<PathEntry> path = path(id);
    BaseBackup base = baseBackups.stream().filter(b -> onPath(path, b)).min(Comparator.comparing(BaseBackup::stopLsn))
        .orElseThrow(() -> refuse(Refusal.BEFORE_EARLIEST_BASE, "no usable base backup on timeline " + id + "'s lineage"));
    long start = base.startLsn().segment(segmentSize());
    long needed = Math.max(start, base.stopLsn().segment(segmentSize()));
    if (contiguousEnd(path, start) < needed) {
      return refuseMissing(path, base, contiguousEnd(path, start) + 1, "the stop location of base backup " + base.label());
    }
    return resolution(id, base, path, start, needed);
  }

  private TargetRefused refuse(Refusal refusal, String message) {
    return new TargetRefused(refusal, message + "; the recoverable window: " + describe());
  }

  /** One line: every timeline's recoverable ranges, for refusals. */
  public String describe() {
    List<String> parts = new ArrayList<>();
    for (Timeline t : timelines) {
      for (Range r : t.recoverable()) {
        if (r.problem() == null) {
          parts.add("timeline " + t.timeline() + " from " + r.from() + (r.fromTime() == null ? "" : " (" + r.fromTime() + ")")
              + " [base " + r.base() + "] to " + r.to() + " (stored by " + r.toBy() + ")");
        }
      }
    }
    return parts.isEmpty() ? "none (no base backup with the WAL to its end)" : String.join("; ", parts);
  }

  /**
   * Reads a time target as pgdr's commands take it: {@code YYYY-MM-DD HH:MM:SS[.ffffff][+TZ]} (a
   * {@code T} may replace the space; no zone means UTC).
   *
   * @throws TargetRefused {@link Refusal#MALFORMED}
   */
  public static Instant parseTime(String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("(\\d{4}-\\d{2}-\\d{2})[ T](\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?)\\s*(Z|UTC|[+-]\\d{2}(?::?\\d{2})?)?").matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new TargetRefused(Refusal.MALFORMED, "target time " + text + " is not YYYY-MM-DD HH:MM:SS[.ffffff][+TZ]");
    }
    String zone = m.group(3) == null || m.group(3).equals("UTC") ? "Z" : m.group(3);
    if (zone.matches("[+-]\\d{2}")) {
      zone += ":00";
    } else if (zone.matches("[+-]\\d{4}")) {
      zone = zone.substring(0, 3) + ":" + zone.substring(3);
    }
    try {
      return java.time.OffsetDateTime.parse(m.group(1) + "T" + m.group(2) + zone).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new TargetRefused(Refusal.MALFORMED, "target time " + text + " is not a valid time: " + e.getMessage());
    }
  }

  /** @throws TargetRefused {@link Refusal#MALFORMED} */
  public static Lsn parseLsn(String text) {
    try {
      return Lsn.parse(text);
    } catch (IllegalArgumentException e) {
      throw new TargetRefused(Refusal.MALFORMED, "target " + e.getMessage());
    }
  }
}
