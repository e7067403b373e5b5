package io.pgdr.activities.pitr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgdr.activities.backupformat.BaseBackupManifest;
import io.pgdr.activities.store.StoreFailures;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.TransferProgress;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A base backup streamed from the store into an empty data directory: each tar object read as it
 * arrives (no download, then untar), every file checked against the backup's {@code backup_manifest}
 * (size and checksum), each stored object against pgdr-base.json's SHA-256 when the backup has one.
 * {@code pg_wal.tar} goes into {@code pg_wal/}; a tablespace's tar is refused.
 */
final class BaseRestore {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long HEARTBEAT_NANOS = 1_000_000_000L;

  /** What the tar held: each regular file's size and checksum, by its path in the data directory. */
  record Written(long files, long bytes, Map<String, Long> sizes, Map<String, byte[]> crc32c, Map<String, byte[]> sha256,
      byte[] manifestInTar) {}

  private final S3Client client;
  private final BackupLocation location;
  private final PitrResolution resolution;
  private final Consumer<Object> heartbeat;

  BaseRestore(S3Client client, BackupLocation location, PitrResolution resolution, Consumer<Object> heartbeat) {
    this.client = client;
    this.location = location;
    this.resolution = resolution;
    this.heartbeat = heartbeat;
  }

  /** @return files, bytes and checked files */
  long[] restoreInto(Path dataDir, VolumeOwner owner) throws IOException {
    List<String> tars = resolution.baseObjects().stream().filter(o -> o.matches("[^/]+\\.tar(\\.gz)?")).sorted().toList();
    if (tars.stream().noneMatch(t -> t.startsWith("base.tar"))) {
      throw corrupt("base backup " + resolution.baseLabel() + " has no base.tar or base.tar.gz (objects: " + resolution.baseObjects() + ")");
    }
    for (String tar : tars) {
      if (!tar.startsWith("base.tar") && !tar.startsWith("pg_wal.tar")) {
        throw ApplicationFailure.newNonRetryableFailure("base backup " + resolution.baseLabel() + " holds a tablespace (" + tar
            + "): pgdr restores clusters without tablespaces of their own", FailureTypes.DATA_VOLUME_UNUSABLE);
      }
    }
    Map<String, String> storedSha256 = storedSha256();
    // the manifest stored beside the tar says which checksum each file needs; without it (inside the
    // tar, at its end) both are computed
    byte[] manifest = resolution.baseObjects().contains(BaseBackupManifest.BACKUP_MANIFEST) ? readObject(BaseBackupManifest.BACKUP_MANIFEST) : null;
    boolean sha256Needed = manifest == null || new String(manifest, java.nio.charset.StandardCharsets.UTF_8).contains("\"SHA256\"");
    Written all = new Written(0, 0, new HashMap<>(), new HashMap<>(), new HashMap<>(), null);
    long[] read = {0};
    long started = System.nanoTime();
    for (String tar : tars) {
      Path into = tar.startsWith("pg_wal") ? dataDir.resolve("pg_wal") : dataDir;
      Written written = extract(tar, dataDir, into, owner, storedSha256.get(tar), sha256Needed, read, started);
      all.sizes().putAll(written.sizes());
      all.crc32c().putAll(written.crc32c());
      all.sha256().putAll(written.sha256());
      all = new Written(all.files() + written.files(), all.bytes() + written.bytes(), all.sizes(), all.crc32c(), all.sha256(),
          manifest = manifest != null ? manifest : written.manifestInTar());
    }
    if (manifest == null) {
      throw corrupt("base backup " + resolution.baseLabel() + " has no backup_manifest: pgdr restores only what it can check");
    }
    long checked = check(manifest, all);
    return new long[] {all.files(), all.bytes(), checked};
  }

  private Written extract(String tar, Path root, Path into, VolumeOwner owner, String expectedSha256, boolean sha256Needed, long[] read,
      long started)
      throws IOException {
    String key = resolution.baseKey() + tar;
    Map<String, Long> sizes = new HashMap<>();
    Map<String, byte[]> crc = new HashMap<>();
    Map<String, byte[]> sha = new HashMap<>();
    byte[] manifest = null;
    long files = 0;
    long bytes = 0;
    MessageDigest objectDigest = sha256();
    long lastBeat = 0;
    try (InputStream stored = client.getObject(b -> b.bucket(location.bucket()).key(key));
         InputStream counted = new FilterInputStream(new DigestInputStream(stored, objectDigest)) {
           @Override
           public int read(byte[] b, int off, int len) throws IOException {
             int n = super.read(b, off, len);
             if (n > 0) {
               read[0] += n;
             }
             return n;
           }
         };
         InputStream plain = tar.endsWith(".gz") ? new GZIPInputStream(counted, 1 << 16) : counted;
         TarArchiveInputStream entries = new TarArchiveInputStream(plain)) {
      owner.createDirectories(root, into);
      TarArchiveEntry entry;
      byte[] buffer = new byte[1 << 16];
      while ((entry = entries.getNextEntry()) != null) {
        String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
        if (name.isEmpty() || name.equals(".")) {
          continue;
        }
        Path path = into.resolve(name).normalize();
        if (!path.startsWith(into)) {
          throw corrupt(tar + " has a member outside the data directory: " + entry.getName());
        }
        String relative = root.relativize(path).toString();
        if (entry.isDirectory()) {
          owner.createDirectories(root, path);
        } else if (entry.isSymbolicLink() || entry.isLink()) {
          throw ApplicationFailure.newNonRetryableFailure(tar + " holds a link " + name + " -> " + entry.getLinkName()
              + " (a tablespace): pgdr restores clusters without tablespaces of their own", FailureTypes.DATA_VOLUME_UNUSABLE);
        } else if (entry.isFile()) {
          owner.createDirectories(root, path.getParent());
          Checksum checksum = new CRC32C();
          MessageDigest digest = sha256Needed ? sha256() : null;
          boolean isManifest = into.equals(root) && name.equals(BaseBackupManifest.BACKUP_MANIFEST);
          java.io.ByteArrayOutputStream manifestBytes = isManifest ? new java.io.ByteArrayOutputStream() : null;
          long size = 0;
          try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            int n;
            while ((n = entries.read(buffer)) > 0) {
              out.write(buffer, 0, n);
              checksum.update(buffer, 0, n);
              if (digest != null) {
                digest.update(buffer, 0, n);
              }
              if (manifestBytes != null) {
                manifestBytes.write(buffer, 0, n);
              }
              size += n;
              if (System.nanoTime() - lastBeat > HEARTBEAT_NANOS) {
                lastBeat = System.nanoTime();
                beat(read[0], started, tar + ": " + relative);
              }
            }
          }
          owner.give(path);
          files++;
          bytes += size;
          sizes.put(relative, size);
          crc.put(relative, littleEndian((int) checksum.getValue()));
          if (digest != null) {
            sha.put(relative, digest.digest());
          }
          if (manifestBytes != null) {
            manifest = manifestBytes.toByteArray();
          }
        }
      }
      // the rest of the object (tar padding, gzip trailer) goes through the digest too
      counted.transferTo(OutputStream.nullOutputStream());
    } catch (SdkException e) {
      throw StoreFailures.toFailure(location, "reading s3://" + location.bucket() + "/" + key, e);
    }
    if (expectedSha256 != null && !HexFormat.of().formatHex(objectDigest.digest()).equalsIgnoreCase(expectedSha256)) {
      throw corrupt(key + " does not match the SHA-256 pgdr-base.json records for it: the stored object changed or is damaged");
    }
    return new Written(files, bytes, sizes, crc, sha, manifest);
  }

  /** Checks every file the manifest lists; returns how many were checked by checksum. */
  private long check(byte[] manifest, Written written) throws IOException {
    JsonNode files = JSON.readTree(manifest).path("Files");
    long checked = 0;
    StringBuilder problems = new StringBuilder();
    int problemCount = 0;
    for (JsonNode file : files) {
      String path = file.has("Path") ? file.get("Path").asText()
          : new String(HexFormat.of().parseHex(file.path("Encoded-Path").asText()), java.nio.charset.StandardCharsets.UTF_8);
      Long size = written.sizes().get(path);
      String problem = null;
      if (size == null) {
        problem = path + " is missing";
      } else if (size != file.path("Size").asLong()) {
        problem = path + " has " + size + " bytes, the manifest says " + file.path("Size").asLong();
      } else {
        String algorithm = file.path("Checksum-Algorithm").asText("NONE");
        byte[] actual = switch (algorithm) {
          case "CRC32C" -> written.crc32c().get(path);
          case "SHA256" -> written.sha256().get(path);
          default -> null;
        };
        if (actual != null) {
          if (!HexFormat.of().formatHex(actual).equalsIgnoreCase(file.path("Checksum").asText())) {
            problem = path + " does not match its " + algorithm + " checksum";
          } else {
            checked++;
          }
        }
      }
      if (problem != null && problemCount++ < 5) {
        problems.append(problems.length() == 0 ? "" : "; ").append(problem);
      }
    }
    if (problemCount > 0) {
      throw corrupt("base backup " + resolution.baseLabel() + " does not match its backup_manifest (" + problemCount + " files): " + problems);
    }
    return checked;
  }

  private Map<String, String> storedSha256() throws IOException {
    Map<String, String> hashes = new HashMap<>();
    if (resolution.baseObjects().contains(BaseBackupManifest.FILE_NAME)) {
      BaseBackupManifest pgdr = BaseBackupManifest.fromJson(readObject(BaseBackupManifest.FILE_NAME));
      if (pgdr.objects() != null) {
        pgdr.objects().forEach(o -> hashes.put(o.key(), o.sha256()));
      }
    }
    return hashes;
  }

  private byte[] readObject(String name) {
    String key = resolution.baseKey() + name;
    try {
      return client.getObjectAsBytes(b -> b.bucket(location.bucket()).key(key)).asByteArray();
    } catch (SdkException e) {
      throw StoreFailures.toFailure(location, "reading s3://" + location.bucket() + "/" + key, e);
    }
  }

  private void beat(long read, long started, String current) {
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    double rate = read / seconds;
    long total = resolution.baseBytes();
    long eta = rate > 0 && total > read ? (long) ((total - read) / rate) : -1;
    heartbeat.accept(new TransferProgress(read, total, 0, -1, rate, eta, current));
  }

  /** PostgreSQL prints a CRC-32C as the bytes of the 32-bit value in memory, which is little-endian here. */
  private static byte[] littleEndian(int value) {
    return new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)};
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static ApplicationFailure corrupt(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.BACKUP_CORRUPT);
  }
}
