package io.pgdr.activities.backup;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.ports.BackupEntry;
import io.pgdr.ports.PostgresServer;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.BackupLocation;
import java.util.function.Consumer;

/** Takes a pgdr backup (docs/backup-format.md) of one server's database into a backup location. */
public final class BackupTaker {

  private final CredentialResolver credentials;
  private final S3Clients s3;
  private final ClientPrograms programs;

  public BackupTaker(CredentialResolver credentials, S3Clients s3, ClientPrograms programs) {
    this.credentials = credentials;
    this.s3 = s3;
    this.programs = programs;
  }

  public BackupEntry take(BackupLocation location, PostgresServer server, String backupId, Consumer<TransferProgress> progress) {
    throw new UnsupportedOperationException("being written");
  }
}
