package io.pgdr.activities.backup;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Passes a tar stream through unchanged while following its member headers, and copies the data of
 * the members named in {@code taps} to their own streams as it goes by: how a base backup keeps
 * {@code backup_label} and {@code backup_manifest} out of {@code pg_basebackup}'s stream without
 * storing or reading the tar twice. Knows the ustar headers PostgreSQL writes (octal sizes, base-256
 * above 8 GiB); {@link #ended()} says whether the end-of-archive block came.
 */
final class TarMembers extends OutputStream {

  private static final int BLOCK = 512;

  private final OutputStream out;
  private final Map<String, OutputStream> taps;
  private final byte[] header = new byte[BLOCK];
  private int headerFilled;
  private long dataLeft;
  private long paddingLeft;
  private OutputStream tap;
  private boolean ended;
  private long bytes;
  private int members;

  /**
   * @param taps member name (as in the tar, without a leading {@code ./}) to the stream that gets its data
   */
  TarMembers(OutputStream out, Map<String, OutputStream> taps) {
    this.out = out;
    this.taps = taps;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    out.write(bytes, offset, length);
    this.bytes += length;
    while (length > 0 && !ended) {
      int n;
      if (dataLeft > 0) {
        n = (int) Math.min(length, dataLeft);
        if (tap != null) {
          tap.write(bytes, offset, n);
        }
        dataLeft -= n;
      } else if (paddingLeft > 0) {
        n = (int) Math.min(length, paddingLeft);
        paddingLeft -= n;
      } else {
        n = Math.min(length, BLOCK - headerFilled);
        System.arraycopy(bytes, offset, header, headerFilled, n);
        headerFilled += n;
        if (headerFilled == BLOCK) {
          headerFilled = 0;
          readHeader();
        }
      }
      offset += n;
      length -= n;
    }
  }

  private void readHeader() throws IOException {
    if (allZero()) {
      ended = true;
      return;
    }
    if (!"ustar".equals(text(257, 5))) {
      throw new IOException("not a tar stream: no ustar header after " + members + " members");
    }
    String name = text(0, 100);
    String prefix = text(345, 155);
    if (!prefix.isEmpty()) {
      name = prefix + "/" + name;
    }
    if (name.startsWith("./")) {
      name = name.substring(2);
    }
    char type = (char) header[156];
    long size = size();
    members++;
    dataLeft = size;
    paddingLeft = (BLOCK - size % BLOCK) % BLOCK;
    tap = type == '0' || type == '\0' ? taps.get(name) : null;
  }

  /** Octal, or base-256 (the high bit of the first byte set) for members of 8 GiB and more. */
  private long size() throws IOException {
    if ((header[124] & 0x80) != 0) {
      long size = 0;
      for (int i = 125; i < 136; i++) {
        size = (size << 8) | (header[i] & 0xff);
      }
      return size;
    }
    String octal = text(124, 12).trim();
    try {
      return octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
    } catch (NumberFormatException e) {
      throw new IOException("not a tar stream: size field '" + octal + "'", e);
    }
  }

  private boolean allZero() {
    for (byte b : header) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private String text(int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }

  /** Whether the end-of-archive block has passed: the tar is whole. */
  boolean ended() {
    return ended;
  }

  /** Bytes of tar passed through. */
  long bytes() {
    return bytes;
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
