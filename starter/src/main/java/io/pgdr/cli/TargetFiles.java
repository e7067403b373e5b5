package io.pgdr.cli;

import io.pgdr.target.DatabaseTarget;
import io.pgdr.target.TargetYaml;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Reads a target file; every way it can be wrong is bad input with the path in the message. */
public final class TargetFiles {

  private static final String HINT = "pass --target with the YAML file describing the database (the lab writes one: pgdr lab status)";

  private TargetFiles() {}

  public static DatabaseTarget read(Path file) {
    return TargetYaml.parse(text(file), file.toString());
  }

  /** The file's text, read only when it is a regular file of at most {@link TargetYaml#MAX_BYTES}. */
  private static String text(Path file) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      if (attributes.isDirectory()) {
        throw CliException.badInput("target file " + file + " is a directory", HINT);
      }
      // a device (/dev/zero) or a fifo never ends, or ends when someone else decides
      if (!attributes.isRegularFile()) {
        throw CliException.badInput("target file " + file + " is not a regular file (a device, fifo or socket)", HINT);
      }
      if (attributes.size() > TargetYaml.MAX_BYTES) {
        throw tooBig(file, attributes.size());
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes(TargetYaml.MAX_BYTES + 1); // it may have grown since
      }
      if (bytes.length > TargetYaml.MAX_BYTES) {
        throw tooBig(file, bytes.length);
      }
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (NoSuchFileException e) {
      throw CliException.badInput("target file " + file + " does not exist", HINT);
    } catch (CharacterCodingException e) {
      throw CliException.badInput("target file " + file + " is not UTF-8 text", "a target is YAML or JSON text, see docs/target.md");
    } catch (IOException e) {
      throw CliException.badInput("cannot read target file " + file + ": " + e.getMessage(), null);
    }
  }

  private static CliException tooBig(Path file, long size) {
    return CliException.badInput("target file " + file + " is " + size + " bytes; a target file is at most 1 MiB (" + TargetYaml.MAX_BYTES + " bytes)",
        "a target describes one database in a page of YAML, see docs/target.md");
  }
}
