package io.pgdr.run;

import io.pgdr.ports.KeptVolume;
import io.pgdr.ports.RestoreCheck;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a restore run did, in its report.
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
public record RestoreSummary(
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
    List<KeptVolume> keptVolumes) {}
