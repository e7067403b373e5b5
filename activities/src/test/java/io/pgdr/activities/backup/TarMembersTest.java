package io.pgdr.activities.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tar stream passes unchanged, whatever the write sizes; the named members' data is copied out on the way. */
class TarMembersTest {

  @Test
  void theNamedMembersAreCopiedOutAndTheStreamPassesUnchanged() throws IOException {
    byte[] manifestBytes = "{\"WAL-Ranges\": []}".repeat(100).getBytes(StandardCharsets.UTF_8);
    byte[] tar = tar(member("PG_VERSION", "15\n".getBytes(StandardCharsets.UTF_8)), member("backup_label", "START WAL LOCATION: 0/2000028\n"
        .getBytes(StandardCharsets.UTF_8)), member("base/1/1259", new byte[9000]), member("backup_manifest", manifestBytes));
    for (int writeSize : new int[] {1, 7, 511, 512, 513, 4096, tar.length}) {
      ByteArrayOutputStream passed = new ByteArrayOutputStream();
      ByteArrayOutputStream label = new ByteArrayOutputStream();
      ByteArrayOutputStream manifest = new ByteArrayOutputStream();
      TarMembers members = new TarMembers(passed, Map.of("backup_label", label, "backup_manifest", manifest));

      for (int offset = 0; offset < tar.length; offset += writeSize) {
        members.write(tar, offset, Math.min(writeSize, tar.length - offset));
      }

      assertArrayEquals(tar, passed.toByteArray(), "write size " + writeSize);
      assertEquals("START WAL LOCATION: 0/2000028\n", label.toString(StandardCharsets.UTF_8), "write size " + writeSize);
      assertArrayEquals(manifestBytes, manifest.toByteArray(), "write size " + writeSize);
      assertTrue(members.ended());
      assertEquals(tar.length, members.bytes());
    }
  }

  @Test
  void aStreamCutShortHasNotEnded() throws IOException {
    byte[] tar = tar(member("PG_VERSION", "15\n".getBytes(StandardCharsets.UTF_8)), member("base/1/1259", new byte[9000]));
    TarMembers members = new TarMembers(new ByteArrayOutputStream(), Map.of());

    members.write(tar, 0, 2048);

    assertFalse(members.ended());
  }

  @Test
  void aStreamThatIsNoTarIsRefused() {
    TarMembers members = new TarMembers(new ByteArrayOutputStream(), Map.of());
    byte[] notTar = new byte[1024];
    Arrays.fill(notTar, (byte) 'x');

    IOException e = assertThrows(IOException.class, () -> members.write(notTar, 0, notTar.length));

    assertTrue(e.getMessage().contains("not a tar stream"), e.getMessage());
  }

  @Test
  void aSizeOf8GibOrMoreIsReadAsBase256() throws IOException {
    byte[] header = header("base/1/big", 0);
    Arrays.fill(header, 124, 136, (byte) 0);
    header[124] = (byte) 0x80;
    long size = 9L * 1024 * 1024 * 1024 + 3;
    for (int i = 135; i > 124; i--) {
      header[i] = (byte) (size >>> (8 * (135 - i)));
    }
    ByteArrayOutputStream big = new ByteArrayOutputStream();
    TarMembers members = new TarMembers(new ByteArrayOutputStream(), Map.of("base/1/big", big));

    members.write(header, 0, header.length);
    members.write(new byte[512], 0, 512);

    assertFalse(members.ended(), "a zero block inside a member's data is data");
    assertEquals(512, big.size());
  }

  private static byte[] member(String name, byte[] data) {
    byte[] padded = new byte[512 + (data.length + 511) / 512 * 512];
    System.arraycopy(header(name, data.length), 0, padded, 0, 512);
    System.arraycopy(data, 0, padded, 512, data.length);
    return padded;
  }

  /** A ustar header as PostgreSQL writes one (checksum left out: the reader does not check it). */
  private static byte[] header(String name, long size) {
    byte[] header = new byte[512];
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
    byte[] sizeField = String.format("%011o ", size).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(sizeField, 0, header, 124, 12);
    header[156] = '0';
    System.arraycopy("ustar\u000000".getBytes(StandardCharsets.US_ASCII), 0, header, 257, 8);
    return header;
  }

  private static byte[] tar(byte[]... members) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] member : members) {
      out.writeBytes(member);
    }
    out.writeBytes(new byte[1024]);
    return out.toByteArray();
  }
}
