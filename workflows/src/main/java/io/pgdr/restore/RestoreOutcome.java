package io.pgdr.restore;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.RestoreCheck;
import io.pgdr.run.ScenarioOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a restore run did, in its report (its fields are those reports carried as {@code restore}
 * before scenarios owned their results, so old reports read as this record).
 *
 * @param backupKey the backup restored (its manifest or dump object key)
 * @param backupDataAsOf the moment the backup's data stands for: the restored database holds data up to here
 * @param restoredInto the database the backup was restored into
 * @param liveDatabase the database name applications use
 * @param previousKeptAs the name the replaced database keeps; null until the swap happened
 * @param writersStopped each Deployment's replica count before pgdr scaled it to zero
 * @param writersRestarted whether the writers were brought back (only onto a verified database)
 * @param partsRestored parts restored by the last attempt; {@code partsAlreadyDone} parts found
 *     done from an earlier attempt (a worker lost mid-restore)
 * @param check row counts against the backup's manifest
 * @param rebuiltPod the broken primary's pod, recreated on a new volume because no primary
 *     answered; null when the restore went into a live primary
 * @param keptVolumes the old volumes of {@code rebuiltPod}, set to Retain before its claims were deleted
 */
// old reports carry this record untyped, as "restore": read as this record, a missing kind means this one
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind", defaultImpl = RestoreOutcome.class)
public record RestoreOutcome(
    String backupKey,
    String backupFormat,
    Instant backupDataAsOf,
    String restoredInto,
    String liveDatabase,
    String previousKeptAs,
    Map<String, Integer> writersStopped,
    boolean writersRestarted,
    int partsTotal,
    int partsRestored,
    int partsAlreadyDone,
    long bytes,
    RestoreCheck check,
    String rebuiltPod,
    List<KeptVolume> keptVolumes) implements ScenarioOutcome {

  @Override
  public List<Fact> facts() {
    List<Fact> facts = new ArrayList<>();
    facts.add(new Fact("backup", backupKey + " (" + backupFormat + ", data as of " + backupDataAsOf + ")"));
    facts.add(new Fact("new database", restoredInto + (previousKeptAs == null ? " (not swapped in)" : ", swapped in as " + liveDatabase
        + "; the replaced database kept as " + previousKeptAs)));
    if (partsTotal > 0) {
      facts.add(new Fact("parts", partsRestored + " restored" + (partsAlreadyDone > 0 ? " + " + partsAlreadyDone + " done by an earlier attempt" : "")
          + " of " + partsTotal + ", " + bytes + " bytes"));
    }
    if (writersStopped != null && !writersStopped.isEmpty()) {
      facts.add(new Fact("writers", writersStopped.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining(", ")) + (writersRestarted ? ", restarted" : ", STILL STOPPED")));
    }
    if (rebuiltPod != null) {
      facts.add(new Fact("rebuilt pod", rebuiltPod));
    }
    if (keptVolumes != null && !keptVolumes.isEmpty()) {
      facts.add(new Fact("kept volumes", keptVolumes.stream().map(KeptVolume::toString).collect(Collectors.joining("; "))));
    }
    return facts;
  }
}
