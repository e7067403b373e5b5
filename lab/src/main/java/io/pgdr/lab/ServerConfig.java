package io.pgdr.lab;

/** The postgresql.conf lines that make a small, fast lab server able to stream to a standby, and archive. */
final class ServerConfig {

  private ServerConfig() {}

  static String forPrimary(int port) {
    return String.join("\n",
        "",
        "# pgdr lab",
        "listen_addresses = '127.0.0.1'",
        "port = " + port,
        // no Unix socket: the lab must never collide with, or be mistaken for, a system cluster
        "unix_socket_directories = ''",
        "wal_level = replica",
        "max_wal_senders = 10",
        "max_replication_slots = 10",
        // keeps enough WAL for a restarted standby to catch up without a slot
        "wal_keep_size = '128MB'",
        "hot_standby = on",
        // lets pg_rewind re-attach a failed primary as a standby of the promoted one
        "wal_log_hints = on",
        "shared_buffers = '32MB'",
        "max_connections = 40",
        "log_line_prefix = '%m [%p] '",
        "");
  }

  /**
   * The lines that archive each finished WAL segment (a standby's only once it is promoted) with the
   * command, which holds PostgreSQL's %p and %f.
   */
  static String archiving(String archiveCommand) {
    return String.join("\n",
        "archive_mode = on",
        "archive_command = '" + archiveCommand.replace("'", "''") + "'",
        "");
  }
}
