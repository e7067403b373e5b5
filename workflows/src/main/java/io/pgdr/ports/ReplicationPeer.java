package io.pgdr.ports;

/** One row of {@code pg_stat_replication} on a primary. */
public record ReplicationPeer(
    String applicationName, String clientAddr, String state, String syncState,
    String sentLsn, String writeLsn, String replayLsn) {}
