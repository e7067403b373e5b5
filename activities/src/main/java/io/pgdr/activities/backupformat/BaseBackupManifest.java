package io.pgdr.activities.backupformat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * The {@code pgdr-base.json} beside a base backup pgdr streamed from {@code pg_basebackup}
 * (docs/backup-format.md): where it starts and stops in the WAL, and each object's size and
 * SHA-256. Written last, so its presence means the base backup is complete.
 *
 * @param tarBytes the uncompressed size of {@code base.tar}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BaseBackupManifest(
    String format,
    String label,
    String serverVersion,
    int timeline,
    String startLsn,
    String stopLsn,
    Instant startTime,
    Instant stopTime,
    String walMethod,
    String compression,
    long tarBytes,
    long sizeBytes,
    List<BaseObject> objects) {

  public static final String FORMAT = "pgdr-base-1";
  public static final String FILE_NAME = "pgdr-base.json";
  /** The directory under the location's prefix that holds base backups, one subdirectory each (runbook 000's layout). */
  public static final String DIRECTORY = "base/";
  /** The data directory's tar, gzipped; with the WAL from start to stop inside (pg_wal/). */
  public static final String BASE_TAR = "base.tar.gz";
  /** pg_basebackup's manifest, also inside the tar: pg_verifybackup reads it. */
  public static final String BACKUP_MANIFEST = "backup_manifest";
  /** {@code pg_basebackup -X fetch}: the WAL needed to make the backup consistent is in the base tar. */
  public static final String WAL_FETCHED = "fetch";


  /**
   * One stored object of the base backup.
   *
   * @param key relative to the base backup's directory
   * @param sizeBytes stored size
   * @param sha256 hex SHA-256 of the stored bytes
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record BaseObject(String key, long sizeBytes, String sha256) {}

  /** The key prefix of a base backup's objects: {@code <prefix>base/<label>/}. */
  public static String directoryKey(String prefix, String label) {
    return prefix + DIRECTORY + label + "/";
  }

  public static String manifestKey(String prefix, String label) {
    return directoryKey(prefix, label) + FILE_NAME;
  }

  public String toJson() {
    return ManifestJson.write(this);
  }

  public static BaseBackupManifest fromJson(byte[] json) {
    return ManifestJson.read(json, BaseBackupManifest.class, "pgdr base backup manifest");
  }
}
