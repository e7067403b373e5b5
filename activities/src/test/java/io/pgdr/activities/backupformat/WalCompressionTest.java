package io.pgdr.activities.backupformat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorOutputStream;
import org.junit.jupiter.api.Test;

/** What an archive command's gzip, zstd or lz4 wrote reads back byte for byte; other compressions are refused by name. */
class WalCompressionTest {

  @FunctionalInterface
  interface Compressor {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  private static byte[] roundTrip(String fileName, Compressor compressor, byte[] plain) throws IOException {
    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    try (OutputStream out = compressor.wrap(stored)) {
      out.write(plain);
    }
    try (InputStream in = WalCompression.plainByName(fileName, new ByteArrayInputStream(stored.toByteArray()))) {
      return in.readAllBytes();
    }
  }

  @Test
  void eachCompressionAnArchiveCommandUsesReadsBackExactly() throws IOException {
    byte[] segment = new byte[1 << 20];
    new Random(7).nextBytes(segment);
    assertArrayEquals(segment, roundTrip("000000010000000000000003", out -> out, segment));
    assertArrayEquals(segment, roundTrip("000000010000000000000003.gz", GZIPOutputStream::new, segment));
    assertArrayEquals(segment, roundTrip("000000010000000000000003.zst", ZstdCompressorOutputStream::new, segment));
    assertArrayEquals(segment, roundTrip("000000010000000000000003.lz4", FramedLZ4CompressorOutputStream::new, segment));
  }

  @Test
  void aCompressionPgdrDoesNotReadIsNamed() {
    assertTrue(WalCompression.readable("zst") && WalCompression.readable(null));
    assertFalse(WalCompression.readable("xz"));
    IOException refused = assertThrows(IOException.class,
        () -> WalCompression.plainByName("000000010000000000000003.xz", new ByteArrayInputStream(new byte[0])));
    assertTrue(refused.getMessage().contains("xz"), refused.getMessage());
  }
}
