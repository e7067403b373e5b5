package io.pgdr.activities.backupformat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The {@code manifest.json} of a pgdr backup: what it holds and how to check it. Written last, so
 * its presence means every object was stored. The format is described in docs/backup-format.md.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupManifest(
    String format,
    String id,
    String database,
    String serverVersion,
    Instant startTime,
    Instant endTime,
    String compression,
    long sizeBytes,
    List<BackupObject> objects,
    Map<String, Long> tables) {

  public static final String FORMAT = "pgdr-1";
  public static final String FILE_NAME = "manifest.json";
  /** The keys of the two dumps, relative to the backup's directory. */
  public static final String PRE_DATA_KEY = "pre-data.dump";
  public static final String POST_DATA_KEY = "post-data.dump";
  /**
   * Where a restore keeps its checkpoint, inside the database it fills: both dumps leave this
   * schema out, so no backup holds it.
   */
  public static final String RESTORE_SCHEMA = "pgdr_restore";
  /** The directory under the location's prefix that holds pgdr's backups, one subdirectory each. */
  public static final String DIRECTORY = "pgdr/";


  /**
   * One stored object of the backup.
   *
   * @param key relative to the backup's directory
   * @param kind {@link #PRE_DATA}, {@link #DATA} or {@link #POST_DATA}
   * @param table {@code schema.table} of a data part
   * @param toBlock exclusive upper block of a data part; null for a table's last part
   * @param rows rows the part's COPY wrote
   * @param sizeBytes stored (compressed) size
   * @param sha256 hex SHA-256 of the stored bytes
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record BackupObject(
      String key, String kind, String table, Integer part, Long fromBlock, Long toBlock, Long rows,
      long sizeBytes, String sha256) {

    public static final String PRE_DATA = "pre-data";
    public static final String DATA = "data";
    public static final String POST_DATA = "post-data";
  }

  /** The object key of a backup's manifest under a location prefix. */
  public static String manifestKey(String prefix, String id) {
    return directoryKey(prefix, id) + FILE_NAME;
  }

  /** The key prefix of a backup's objects: {@code <prefix>pgdr/<id>/}. */
  public static String directoryKey(String prefix, String id) {
    return prefix + DIRECTORY + id + "/";
  }

  /** Where one of the backup's objects is, given the key of its manifest. */
  public static String objectKey(String manifestKey, BackupObject object) {
    return manifestKey.substring(0, manifestKey.length() - FILE_NAME.length()) + object.key();
  }

  public String toJson() {
    return ManifestJson.write(this);
  }

  public static BackupManifest fromJson(byte[] json) {
    return ManifestJson.read(json, BackupManifest.class, "pgdr manifest");
  }
}
