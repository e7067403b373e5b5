package io.pgdr.activities.postgres;

import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.ReplicationPeer;
import io.pgdr.ports.ServerState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Runbook 000 §2.2: recovery state, WAL positions and {@code pg_stat_replication}. Read-only. */
final class ServerInspector {

  // One statement, so the recovery flag and the positions describe the same instant even while a
  // promotion is under way (pg_current_wal_lsn() fails during recovery, hence the CASE).
  private static final String POSITIONS = """
      SELECT pg_is_in_recovery(),
             CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END,
             pg_last_wal_receive_lsn()::text,
             pg_last_wal_replay_lsn()::text,
             pg_last_xact_replay_timestamp(),
             current_setting('default_transaction_read_only') = 'on',
             current_setting('server_version')
      """;

  private static final String REPLICATION = """
      SELECT application_name, client_addr::text, state, sync_state,
             sent_lsn::text, write_lsn::text, replay_lsn::text
        FROM pg_stat_replication
       ORDER BY application_name, client_addr
      """;

  // one row while a WAL receiver runs; its status is NULL to a role without pg_read_all_stats
  private static final String WAL_RECEIVER = "SELECT status FROM pg_stat_wal_receiver";

  private ServerInspector() {}

  static ServerState inspect(Connection connection, PostgresServer server) throws SQLException {
    try (PreparedStatement positions = connection.prepareStatement(POSITIONS);
         ResultSet row = positions.executeQuery()) {
      row.next();
      boolean inRecovery = row.getBoolean(1);
      OffsetDateTime lastReplay = row.getObject(5, OffsetDateTime.class);
      return new ServerState(
          server.pod(),
          server.address(),
          true,
          null,
          inRecovery,
          row.getString(2),
          inRecovery ? row.getString(3) : null,
          inRecovery ? row.getString(4) : null,
          inRecovery && lastReplay != null ? lastReplay.toInstant() : null,
          row.getBoolean(6),
          row.getString(7),
          replication(connection),
          PatroniEvidence.managed(connection),
          inRecovery ? walStreaming(connection) : null);
    }
  }

  private static Boolean walStreaming(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(WAL_RECEIVER);
         ResultSet row = statement.executeQuery()) {
      if (!row.next()) {
        return false;
      }
      String status = row.getString(1);
      return status == null ? null : "streaming".equals(status);
    }
  }

  private static List<ReplicationPeer> replication(Connection connection) throws SQLException {
    List<ReplicationPeer> peers = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(REPLICATION);
         ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        peers.add(new ReplicationPeer(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
            rows.getString(5), rows.getString(6), rows.getString(7)));
      }
    }
    return peers;
  }
}
