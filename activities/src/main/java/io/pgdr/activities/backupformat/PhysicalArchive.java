package io.pgdr.activities.backupformat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Runbook 000 D's physical archive under a backup location's prefix, read from a listing and the
 * few small files worth reading: base backups under {@code base/<label>/} and the WAL archive under
 * {@code wal/}. Reads each timeline history and {@code .backup} label, each base backup's
 * {@code pgdr-base.json} and, only for a base backup without one, its {@code backup_manifest}
 * (for its WAL range); never a segment or a tar. Pure: the caller supplies the listing and the reads.
 */
public final class PhysicalArchive {

  /** The directory of base backups under the prefix. */
  public static final String BASE_DIRECTORY = "base/";
  /** The directory of the WAL archive under the prefix. */
  public static final String WAL_DIRECTORY = "wal/";
  /** pgdr's description of a base backup it took (start/stop LSN and time, timeline, size, checksums). */
  public static final String PGDR_BASE = "pgdr-base.json";
  public static final String BACKUP_MANIFEST = "backup_manifest";

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Segment sizes initdb accepts: powers of two from 1 MiB to 1 GiB. */
  private static final long MIN_SEGMENT = 1L << 20;
  private static final long MAX_SEGMENT = 1L << 30;

  /** An object of the listing. */
  public record StoredFile(String key, long sizeBytes, Instant lastModified) {}

  private PhysicalArchive() {}

  /** Whether the listing holds any part of a physical archive: base backups or WAL. */
  public static boolean present(String prefix, List<StoredFile> files) {
    return files.stream().anyMatch(f -> f.key().startsWith(prefix + BASE_DIRECTORY) || f.key().startsWith(prefix + WAL_DIRECTORY));
  }

  /**
   * @param prefix the location's prefix ({@code db/})
   * @param files the listing under it
   * @param read an object's content by key (only small files are asked for)
   */
  public static RecoverableWindow read(String prefix, List<StoredFile> files, Function<String, byte[]> read) {
    List<String> problems = new ArrayList<>();
    WalArchive wal = wal(prefix + WAL_DIRECTORY, files, read, problems);
    Map<String, BackupLabel> labels = new TreeMap<>();
    for (StoredFile f : files) {
      String name = f.key().substring(f.key().lastIndexOf('/') + 1);
      if (f.key().startsWith(prefix + WAL_DIRECTORY)) {
        WalFileName.parse(name).filter(n -> n.kind() == WalFileName.Kind.BACKUP_LABEL).ifPresent(n -> {
          try {
            labels.put(name, BackupLabel.parse(text(f.key(), n.compression(), read)));
          } catch (IllegalArgumentException | UncheckedIOException e) {
            problems.add(name + ": " + e.getMessage());
          }
        });
      }
    }
    List<BaseBackup> bases = new ArrayList<>();
    Map<String, List<StoredFile>> directories = new LinkedHashMap<>();
    String baseRoot = prefix + BASE_DIRECTORY;
    for (StoredFile f : files) {
      int slash = f.key().startsWith(baseRoot) ? f.key().indexOf('/', baseRoot.length()) : -1;
      if (slash > baseRoot.length() && slash < f.key().length() - 1) {
        directories.computeIfAbsent(f.key().substring(baseRoot.length(), slash), d -> new ArrayList<>()).add(f);
      }
    }
    directories.forEach((label, objects) -> bases.add(base(baseRoot + label + "/", label, objects, labels, wal.segmentSize(), read)));
    WalArchive withProblems = new WalArchive(wal.segmentSize(), wal.segments(), wal.partials(), wal.histories(), wal.historyStored(),
        problems);
    return new RecoverableWindow(bases, withProblems);
  }

  static WalArchive wal(String walRoot, List<StoredFile> files, Function<String, byte[]> read, List<String> problems) {
    Map<String, StoredFile> segmentFiles = new TreeMap<>();
    Map<String, WalFileName> segmentNames = new HashMap<>();
    List<String> partials = new ArrayList<>();
    Map<Integer, TimelineHistory> histories = new TreeMap<>();
    Map<Integer, Instant> historyStored = new TreeMap<>();
    Map<Long, Integer> plainSizes = new HashMap<>();
    for (StoredFile f : files) {
      if (!f.key().startsWith(walRoot)) {
        continue;
      }
      String name = f.key().substring(f.key().lastIndexOf('/') + 1);
      WalFileName parsed = WalFileName.parse(name).orElse(null);
      if (parsed == null) {
        continue;
      }
      switch (parsed.kind()) {
        case SEGMENT -> {
          String segment = name.substring(0, 24).toUpperCase();
          // a segment stored twice (plain and compressed) counts once, the first listed
          if (segmentFiles.putIfAbsent(segment, f) == null) {
            segmentNames.put(segment, parsed);
          }
          if (parsed.compression() == null) {
            plainSizes.merge(f.sizeBytes(), 1, Integer::sum);
          }
        }
        case PARTIAL -> partials.add(name);
        case HISTORY -> {
          try {
            histories.put(parsed.timeline(), TimelineHistory.parse(parsed.timeline(), text(f.key(), parsed.compression(), read)));
            historyStored.put(parsed.timeline(), f.lastModified());
          } catch (IllegalArgumentException | UncheckedIOException e) {
            problems.add(name + ": " + e.getMessage());
          }
        }
        case BACKUP_LABEL -> { }
      }
    }
    long segmentSize = plainSizes.entrySet().stream()
        .filter(e -> Long.bitCount(e.getKey()) == 1 && e.getKey() >= MIN_SEGMENT && e.getKey() <= MAX_SEGMENT)
        .max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(Lsn.DEFAULT_SEGMENT_SIZE);
    List<WalArchive.Segment> segments = new ArrayList<>();
    segmentFiles.forEach((segment, f) -> {
      WalFileName n = segmentNames.get(segment);
      try {
        segments.add(new WalArchive.Segment(n.timeline(), n.segmentNumber(segmentSize), segment, f.lastModified(), f.sizeBytes(),
            f.key().substring(f.key().lastIndexOf('/') + 1)));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    });
    segments.sort(Comparator.comparing(WalArchive.Segment::timeline).thenComparing(WalArchive.Segment::number));
    return new WalArchive(segmentSize, segments, partials, histories, historyStored, problems);
  }

  private static BaseBackup base(String key, String label, List<StoredFile> objects, Map<String, BackupLabel> labels,
      long segmentSize, Function<String, byte[]> read) {
    List<String> names = objects.stream().map(f -> f.key().substring(key.length())).toList();
    long size = objects.stream().mapToLong(StoredFile::sizeBytes).sum();
    Instant storedBy = objects.stream().map(StoredFile::lastModified).max(Comparator.naturalOrder()).orElseThrow();
    String incomplete = names.stream().anyMatch(n -> n.matches("base\\.tar(\\.[a-z0-9]+)?")) ? null : "no base.tar in it: incomplete";
    try {
      if (names.contains(PGDR_BASE)) {
        JsonNode json = JSON.readTree(read.apply(key + PGDR_BASE));
        Lsn start = lsn(json, "startLsn");
        Lsn stop = lsn(json, "stopLsn");
        int timeline = json.path("timeline").asInt(json.path("startTimeline").asInt(0));
        return new BaseBackup(label, key, timeline, start, stop, time(json, "startTime"), time(json, "stopTime"), storedBy, size, names,
            PGDR_BASE, incomplete != null ? incomplete : start == null || stop == null || timeline <= 0
                ? PGDR_BASE + " lacks startLsn, stopLsn or timeline" : null);
      }
      if (names.contains(BACKUP_MANIFEST)) {
        JsonNode ranges = JSON.readTree(read.apply(key + BACKUP_MANIFEST)).path("WAL-Ranges");
        if (!ranges.isArray() || ranges.isEmpty()) {
          return unknown(label, key, storedBy, size, names, BACKUP_MANIFEST + " has no WAL-Ranges");
        }
        // one range per timeline the backup's WAL crossed, newest first as PostgreSQL writes them: the
        // backup starts on the oldest
        int timeline = 0;
        Lsn start = null;
        Lsn stop = null;
        for (JsonNode range : ranges) {
          Lsn from = Lsn.parse(range.path("Start-LSN").asText());
          Lsn to = Lsn.parse(range.path("End-LSN").asText());
          if (start == null || from.isBefore(start)) {
            start = from;
            timeline = range.path("Timeline").asInt();
          }
          stop = stop == null || stop.isBefore(to) ? to : stop;
        }
        String labelName = Lsn.segmentName(timeline, start.segment(segmentSize), segmentSize)
            + String.format(".%08X.backup", start.value() % segmentSize);
        BackupLabel history = labels.entrySet().stream().filter(e -> e.getKey().toUpperCase().startsWith(labelName.toUpperCase()))
            .map(Map.Entry::getValue).findFirst().orElse(null);
        return new BaseBackup(label, key, timeline, start, stop, history == null ? null : history.startTime(),
            history == null ? null : history.stopTime(), storedBy, size, names,
            BACKUP_MANIFEST + (history == null ? " (no " + labelName + " in wal/: times from the store)" : " + wal/" + labelName), incomplete);
      }
      BackupLabel byName = labels.values().stream().filter(l -> label.equals(l.label())).findFirst().orElse(null);
      if (byName != null && byName.stopLsn() != null && byName.startTimeline() != null) {
        return new BaseBackup(label, key, byName.startTimeline(), byName.startLsn(), byName.stopLsn(), byName.startTime(), byName.stopTime(),
            storedBy, size, names, "the .backup label whose LABEL is " + label, incomplete);
      }
      return unknown(label, key, storedBy, size, names, "no " + PGDR_BASE + ", " + BACKUP_MANIFEST + " or .backup label with LABEL "
          + label + ": its WAL locations are unknown");
    } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
      return unknown(label, key, storedBy, size, names, "unreadable: " + e.getMessage());
    }
  }

  private static BaseBackup unknown(String label, String key, Instant storedBy, long size, List<String> names, String problem) {
    return new BaseBackup(label, key, 0, null, null, null, null, storedBy, size, names, "the listing", problem);
  }

  private static Lsn lsn(JsonNode json, String field) {
    return json.hasNonNull(field) ? Lsn.parse(json.get(field).asText()) : null;
  }

  private static Instant time(JsonNode json, String field) {
    try {
      return json.hasNonNull(field) ? Instant.parse(json.get(field).asText()) : null;
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + ": " + json.get(field).asText() + " is not an ISO-8601 instant");
    }
  }

  /** A small text file, decompressed as its suffix says ({@link WalCompression}). */
  private static String text(String key, String compression, Function<String, byte[]> read) {
    if (!WalCompression.readable(compression)) {
      throw new IllegalArgumentException("compressed with " + compression + ", which pgdr does not read for history and label files");
    }
    byte[] bytes = read.apply(key);
    try (InputStream in = WalCompression.plain(compression, new ByteArrayInputStream(bytes))) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("not " + compression + ": " + e.getMessage(), e);
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
