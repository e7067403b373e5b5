package io.pgdr.activities.backupformat;

/** Files of a physical archive as PostgreSQL writes them, shared by the tests that read them. */
public final class ArchiveSamples {

  /** The backup history file {@code 000000010000000000000002.00000028.backup} pg_basebackup leaves in the WAL archive. */
  public static final String BACKUP_LABEL = """
      START WAL LOCATION: 0/2000028 (file 000000010000000000000002)
      STOP WAL LOCATION: 0/2000100 (file 000000010000000000000002)
      CHECKPOINT LOCATION: 0/2000060
      BACKUP METHOD: streamed
      BACKUP FROM: primary
      START TIME: 2025-01-10 02:00:00 UTC
      LABEL: pg_basebackup base backup
      START TIMELINE: 1
      STOP TIME: 2025-01-10 02:00:03 UTC
      STOP TIMELINE: 1
      """;

  private ArchiveSamples() {}
}
