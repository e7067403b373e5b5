package io.pgdr.activities.backupformat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a WAL archive ({@code <prefix>wal/}) holds, from its listing and its small files.
 *
 * @param segmentSize the segment size: 16 MiB unless the archive's uncompressed segments say otherwise
 * @param segments the complete segments (compressed or not)
 * @param partials the {@code .partial} segments old timelines left at promotions: never read by recovery
 * @param histories each timeline's history, by timeline
 * @param historyStored when each history file was stored: a timeline exists from at most then
 * @param problems files that could not be read (a history, a label), each with why
 */
public record WalArchive(long segmentSize, List<Segment> segments, List<String> partials, Map<Integer, TimelineHistory> histories,
    Map<Integer, Instant> historyStored, List<String> problems) {

  /**
   * @param storedAt the object's last-modified time: every record in the segment was written before it
   * @param name the segment's name, as PostgreSQL asks for it
   * @param stored the file's name as it is stored (the name, with a compression suffix when compressed)
   */
  public record Segment(int timeline, long number, String name, Instant storedAt, long sizeBytes, String stored) {}

  public WalArchive {
    segments = List.copyOf(segments);
    partials = List.copyOf(partials);
    histories = new TreeMap<>(histories);
    historyStored = new TreeMap<>(historyStored);
    problems = List.copyOf(problems);
  }
}
