package io.pgdr.ports;

/**
 * A standby seen streaming from the primary, in the primary's {@code pg_stat_replication}.
 *
 * @param lagBytes WAL sent to it and not yet replayed
 */
public record StandbyStreaming(String pod, String state, String sentLsn, String replayLsn, long lagBytes) {}
