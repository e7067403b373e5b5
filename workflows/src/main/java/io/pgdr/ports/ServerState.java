package io.pgdr.ports;

import java.time.Instant;
import java.util.List;

/**
 * What one server said when asked, or why it could not be asked.
 *
 * @param reachable whether a connection and a query succeeded
 * @param error why not, when unreachable
 * @param inRecovery {@code pg_is_in_recovery()}: true for a standby
 * @param currentLsn {@code pg_current_wal_lsn()} on a primary; null on a standby
 * @param receiveLsn {@code pg_last_wal_receive_lsn()} on a standby
 * @param replayLsn {@code pg_last_wal_replay_lsn()} on a standby
 * @param lastReplayAt {@code pg_last_xact_replay_timestamp()} on a standby
 * @param readOnly {@code default_transaction_read_only} is on (a fenced server)
 * @param replication {@code pg_stat_replication} rows on a primary
 * @param patroniManaged Patroni manages the server (its data directory holds Patroni's
 *     {@code patroni.dynamic.json}); false when not, or when the role may not look (not superuser)
 * @param walStreaming on a standby: whether its WAL receiver streams ({@code pg_stat_wal_receiver}), false when it
 *     has none; null on a primary, or when the role may not see the receiver's state (neither superuser nor
 *     {@code pg_read_all_stats})
 */
public record ServerState(
    String pod,
    String address,
    boolean reachable,
    String error,
    boolean inRecovery,
    String currentLsn,
    String receiveLsn,
    String replayLsn,
    Instant lastReplayAt,
    boolean readOnly,
    String serverVersion,
    List<ReplicationPeer> replication,
    boolean patroniManaged,
    Boolean walStreaming) {

  /** A server seen without its WAL receiver's state (a primary; what runs recorded before it was read). */
  public ServerState(String pod, String address, boolean reachable, String error, boolean inRecovery, String currentLsn,
      String receiveLsn, String replayLsn, Instant lastReplayAt, boolean readOnly, String serverVersion,
      List<ReplicationPeer> replication, boolean patroniManaged) {
    this(pod, address, reachable, error, inRecovery, currentLsn, receiveLsn, replayLsn, lastReplayAt, readOnly, serverVersion,
        replication, patroniManaged, null);
  }

  public static ServerState unreachable(String pod, String address, String error) {
    return new ServerState(pod, address, false, error, false, null, null, null, null, false, null, List.of(), false);
  }

  /** The furthest WAL position this server holds: its write position, or what it replayed. */
  public String position() {
    return inRecovery ? replayLsn : currentLsn;
  }
}
