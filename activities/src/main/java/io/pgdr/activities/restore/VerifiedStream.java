package io.pgdr.activities.restore;

import io.pgdr.activities.transfer.PartProgress;
import io.pgdr.ports.FailureTypes;
import io.temporal.failure.ApplicationFailure;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A backup object as it streams from the store, hashed and counted on the way, so a part is checked
 * against its manifest entry without being read twice, and before its transaction commits.
 */
final class VerifiedStream extends FilterInputStream {

  private final String name;
  private final MessageDigest sha256;
  private final PartProgress counters;
  private long size;

  /** @param name the object, as messages name it ({@code s3://bucket/key}) */
  VerifiedStream(InputStream in, String name, PartProgress counters) {
    super(in);
    this.name = name;
    this.counters = counters;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("reading " + name + " stopped");
    }
    int n = in.read(buffer, offset, length);
    if (n > 0) {
      sha256.update(buffer, offset, n);
      size += n;
      counters.addBytes(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // skipped bytes must be hashed too
    byte[] buffer = new byte[8192];
    long skipped = 0;
    while (skipped < n) {
      int read = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
      if (read < 0) {
        break;
      }
      skipped += read;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** Reads what the consumer left unread (a gzip trailer, or all of it after a failure). */
  void drain() throws IOException {
    byte[] buffer = new byte[64 * 1024];
    while (read(buffer, 0, buffer.length) >= 0) {
      // hashing is the point
    }
  }

  long size() {
    return size;
  }

  /** Whether the bytes read so far are exactly the object the manifest describes. */
  boolean matches(long expectedSize, String expectedSha256) {
    return size == expectedSize && HexFormat.of().formatHex(sha256.digest()).equalsIgnoreCase(expectedSha256);
  }

  /** The failure for an object that does not match its manifest: no retry makes it right. */
  ApplicationFailure corrupt(long expectedSize) {
    return ApplicationFailure.newNonRetryableFailure(name + " does not match the backup's manifest ("
        + (size == expectedSize ? "SHA-256 differs" : size + " bytes read, " + expectedSize + " expected")
        + "): the backup is corrupt; restore another one", FailureTypes.BACKUP_CORRUPT);
  }
}
