package io.pgdr.activities.backupformat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * The compressions pgdr reads in a WAL archive, by the file name's suffix, as archive commands
 * leave them: {@code gzip}, {@code zstd} and {@code lz4} (the frame format their command-line tools
 * write). One place, so the archive's listing, its history and label files and the segments fed to
 * a recovery agree on what can be read.
 */
public final class WalCompression {

  /** Suffixes (without the dot) pgdr decompresses. */
  public static final List<String> READ = List.of("gz", "zst", "lz4");

  private WalCompression() {}

  public static boolean readable(String compression) {
    return compression == null || READ.contains(compression);
  }

  /**
   * @param compression the file's suffix ({@link WalFileName#compression()}), or null for a plain file
   * @throws IOException for a compression pgdr does not read (resolution refuses those first)
   */
  public static InputStream plain(String compression, InputStream stored) throws IOException {
    if (compression == null) {
      return stored;
    }
    return switch (compression) {
      case "gz" -> new GZIPInputStream(stored, 1 << 16);
      case "zst" -> new ZstdCompressorInputStream(stored);
      case "lz4" -> new FramedLZ4CompressorInputStream(stored, true);
      default -> throw new IOException("compressed with " + compression + ", which pgdr does not read (it reads " + READ + ")");
    };
  }

  /** As {@link #plain(String, InputStream)}, by the file's name. */
  public static InputStream plainByName(String fileName, InputStream stored) throws IOException {
    return plain(WalFileName.parse(fileName).map(WalFileName::compression).orElse(null), stored);
  }
}
