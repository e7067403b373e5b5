package io.pgdr.pitr;

import io.pgdr.ports.DataVolume;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.RecoveryReached;
import io.pgdr.ports.RestoredBase;
import io.pgdr.run.ScenarioOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a point-in-time recovery did, in its report.
 *
 * @param recoveryTarget the target, in words
 * @param timeline the timeline recovered along
 * @param baseBackup the base backup restored
 * @param segmentsPlanned WAL segments the target needs at least
 * @param restoredInto the new volume the database now lives on
 * @param keptVolumes the old volumes, kept (Retain) with the data as it was
 * @param base the base restore's figures; null before it
 * @param reached where recovery ended; null before it
 * @param standbysToReclone pods left stopped: they follow the old timeline
 */
public record PitrOutcome(String recoveryTarget, int timeline, String baseBackup, Instant baseReadyBy, int segmentsPlanned,
    long segmentBytes, Map<String, Integer> writersStopped, boolean writersRestarted, DataVolume restoredInto,
    List<KeptVolume> keptVolumes, RestoredBase base, RecoveryReached reached, List<String> standbysToReclone) implements ScenarioOutcome {

  @Override
  public List<Fact> facts() {
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact("target", recoveryTarget + ", timeline " + timeline));
    facts.add(new Fact("base backup", baseBackup + " (consistent by " + baseReadyBy + ")"
        + (base == null ? "" : ": " + base.files() + " files, " + base.bytes() + " bytes, " + base.checkedFiles()
            + " checked against its manifest, " + String.format("%.1f s", base.seconds()))));
    facts.add(new Fact("WAL", segmentsPlanned + " segments (" + segmentBytes + " bytes) at least" + (reached == null ? ""
        : "; fetched " + reached.segmentsFetched() + (reached.segmentsReused() > 0 ? ", " + reached.segmentsReused()
            + " kept from an earlier attempt" : "") + String.format(", %.1f s replay", reached.replaySeconds()))));
    if (reached != null) {
      facts.add(new Fact("reached", reached.replayedLsn() + (reached.lastCommitTime() == null ? "" : ", last commit "
          + reached.lastCommitTime()) + "; now writing timeline " + reached.timeline()));
    }
    if (restoredInto != null) {
      facts.add(new Fact("new volume", restoredInto.describe() + " (claim " + restoredInto.claim() + ")"));
    }
    if (keptVolumes != null && !keptVolumes.isEmpty()) {
      facts.add(new Fact("kept volumes", keptVolumes.stream().map(KeptVolume::toString).collect(Collectors.joining("; "))));
    }
    if (writersStopped != null && !writersStopped.isEmpty()) {
      facts.add(new Fact("writers", writersStopped.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining(", ")) + (writersRestarted ? ", restarted" : ", STILL STOPPED")));
    }
    if (standbysToReclone != null && !standbysToReclone.isEmpty()) {
      facts.add(new Fact("to re-clone", String.join(", ", standbysToReclone) + " (stopped: they follow the old timeline)"));
    }
    return facts;
  }
}
