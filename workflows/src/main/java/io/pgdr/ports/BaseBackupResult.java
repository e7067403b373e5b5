package io.pgdr.ports;

import java.time.Instant;

/**
 * A physical base backup pgdr streamed from {@code pg_basebackup} into the store, under
 * {@code <prefix>base/<label>/}, as its {@code pgdr-base.json} records it.
 *
 * @param key the key of its {@code pgdr-base.json}, written last: a base backup without one is incomplete
 * @param label its directory name under {@code base/}: the UTC start time, so labels sort by age
 * @param timeline the timeline it started on
 * @param startLsn where replay of it starts (backup_label's START WAL LOCATION)
 * @param stopLsn where it is consistent: recovery must replay at least up to here
 * @param startTime when it started (backup_label's START TIME)
 * @param stopTime when pg_basebackup ended: a recovery target must not lie before this
 * @param sizeBytes its objects' total size in the store
 * @param serverVersion the server's PostgreSQL version
 * @param summary what was stored, in words
 */
public record BaseBackupResult(
    String key,
    String label,
    int timeline,
    String startLsn,
    String stopLsn,
    Instant startTime,
    Instant stopTime,
    long sizeBytes,
    String serverVersion,
    String summary) {}
