package io.pgdr.activities.rejoin;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgdr.ports.RejoinResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;

/**
 * How far one run's rejoin of a data directory got, in a small JSON file beside it, so an attempt after
 * a lost worker knows what an earlier one did: a rewind begun and not finished is never trusted, a copy
 * made is not made again, a rename done is not done again, a finished rejoin is left alone. It names the
 * primary by address and holds no secret.
 *
 * @param phase {@link #SAVED} (the server's own configuration saved beside; nothing changed), {@link #REWINDING},
 *     {@link #REWOUND}, {@link #COPYING}, {@link #COPIED} (the copy complete beside, not yet in place) or {@link #DONE}
 * @param way the way being taken, as {@link io.pgdr.ports.Divergence#way()}
 * @param primary the new primary's address (host:port)
 */
record RejoinState(String phase, String way, String primary, String keptDirectory, String replicationFrom, String note) {

  static final String SAVED = "saved";
  static final String REWINDING = "rewinding";
  static final String REWOUND = "rewound";
  static final String COPYING = "copying";
  static final String COPIED = "copied";
  static final String DONE = "done";

  private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  static Optional<RejoinState> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(JSON.readValue(file.toFile(), RejoinState.class));
  }

  /** Replaces the file whole (written beside, flushed, renamed over it): a crash leaves the old state or the new, never half. */
  RejoinState write(Path file) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(temporary);
    try (FileChannel channel = FileChannel.open(temporary, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      channel.write(ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this)));
      channel.force(true);
    }
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return this;
  }

  RejoinState in(String newPhase) {
    return new RejoinState(newPhase, way, primary, keptDirectory, replicationFrom, note);
  }

  /** Another way, and why (for the person reading the result). */
  RejoinState taking(String newWay, String why) {
    return new RejoinState(phase, newWay, primary, keptDirectory, replicationFrom, why);
  }

  RejoinState finished(String kept, String from) {
    return new RejoinState(DONE, way, primary, kept, from, note);
  }

  boolean done() {
    return DONE.equals(phase);
  }

  RejoinResult result() {
    return new RejoinResult(way, keptDirectory, replicationFrom, note);
  }
}
