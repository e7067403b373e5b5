package io.pgdr.ports;

/**
 * What bringing a stale server back as a standby did to its data directory.
 *
 * @param way what was done: {@link Divergence#FOLLOWS}, {@link Divergence#REWIND} or {@link Divergence#FRESH_COPY}
 * @param keptDirectory where the data directory before a fresh copy is kept (never deleted by pgdr); null otherwise
 * @param replicationFrom where the standby's replication settings came from (its own earlier settings,
 *     the new primary's, or the target's credentials), never the settings themselves: they may hold a password
 * @param note what a person should know (pg_rewind fell back to a fresh copy, and why); null when nothing
 */
public record RejoinResult(String way, String keptDirectory, String replicationFrom, String note) {}
