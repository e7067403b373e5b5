package io.pgdr.activities.backupformat;

/**
 * Which tables a pgdr backup copies as data parts, in SQL, so that the backup choosing them and
 * a restore counting their rows find the same ones: plain and unlogged tables (partitions are
 * leaves of this kind; a partitioned parent holds no rows), not the system's, not other sessions'
 * temporary tables, not a restore's checkpoint ({@link BackupManifest#RESTORE_SCHEMA}), not members
 * of an extension (pg_dump leaves their data to the extension, or dumps it itself for
 * configuration tables).
 */
public final class CopiedTables {

  /** The FROM and WHERE clauses of a query over them: {@code pg_class c} and {@code pg_namespace n}. */
  public static final String FROM_WHERE = """
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relpersistence IN ('p', 'u')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema', '%s')
        AND n.nspname !~ '^pg_toast' AND n.nspname !~ '^pg_temp'
        AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
      """.formatted(BackupManifest.RESTORE_SCHEMA);

  private CopiedTables() {}
}
