package io.pgdr.activities.backup;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.activities.temporal.ActivityHeartbeat;
import io.pgdr.activities.temporal.HeartbeatWhileBlocked;
import io.pgdr.ports.BackupActivities;
import io.pgdr.ports.BackupCatalog;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.BaseBackupResult;
import io.pgdr.ports.PostgresServer;
import io.pgdr.target.BackupLocation;

/**
 * {@link BackupActivities} over S3 and the PostgreSQL client programs: the catalog from
 * {@link BackupCatalogReader}, new backups from {@link BackupTaker}, base backups from {@link BaseBackupTaker}. Long calls heartbeat their
 * progress when run inside an activity.
 */
public final class BackupActivitiesImpl implements BackupActivities {

  private final BackupCatalogReader catalog;
  private final BackupTaker taker;
  private final BaseBackupTaker baseTaker;
  private final ActivityHeartbeat heartbeat = new ActivityHeartbeat();

  public BackupActivitiesImpl(CredentialResolver credentials, S3Clients s3) {
    ClientPrograms programs = ClientPrograms.locate();
    this.catalog = new BackupCatalogReader(s3, programs, heartbeat::accept);
    this.taker = new BackupTaker(credentials, s3, programs);
    this.baseTaker = new BaseBackupTaker(credentials, s3, programs);
  }

  /** Read-only: lists and reads, never writes. */
  @Override
  public BackupCatalog listBackups(BackupLocation location) {
    // listing a big prefix and reading manifests report no progress of their own
    return HeartbeatWhileBlocked.run("listing backups under " + location.url(), () -> catalog.list(location));
  }

  /** Read-only: lists and reads, never writes. */
  @Override
  public BackupEntry checkBackup(BackupLocation location, String key) {
    return HeartbeatWhileBlocked.run("checking backup " + key, () -> catalog.check(location, key));
  }

  /** Idempotent under its backupId: a retry writes the same keys, and the manifest, written last, marks it complete. */
  @Override
  public BackupEntry takeBackup(BackupLocation location, PostgresServer server, String backupId) {
    return taker.take(location, server, backupId, heartbeat::accept);
  }

  /** Idempotent under its label: a retry writes the same keys, and pgdr-base.json, written last, marks it complete. */
  @Override
  public BaseBackupResult takeBaseBackup(BackupLocation location, PostgresServer server, String label) {
    return baseTaker.take(location, server, label, heartbeat::accept);
  }
}
