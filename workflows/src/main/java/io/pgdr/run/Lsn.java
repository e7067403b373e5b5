package io.pgdr.run;

/** PostgreSQL WAL positions ("16/B374D848") as byte offsets, for comparing and subtracting. */
public final class Lsn {

  private Lsn() {}

  /** @return the byte position, or -1 for a missing position */
  public static long parse(String lsn) {
    if (lsn == null || lsn.isBlank()) {
      return -1;
    }
    int slash = lsn.indexOf('/');
    if (slash < 1) {
      throw new IllegalArgumentException("not an LSN: " + lsn);
    }
    long high = Long.parseLong(lsn.substring(0, slash), 16);
    long low = Long.parseLong(lsn.substring(slash + 1), 16);
    return (high << 32) | low;
  }

  public static String format(long position) {
    return Long.toHexString(position >>> 32).toUpperCase() + "/" + Long.toHexString(position & 0xFFFFFFFFL).toUpperCase();
  }
}
