package io.pgdr.activities.restore;

import io.pgdr.activities.postgres.ClientPrograms;
import io.pgdr.activities.postgres.DumpProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The items of a backup's {@code post-data.dump} (indexes, constraints, triggers, ...), each as the
 * SQL that creates it, so a restore can run each in its own transaction with its checkpoint row,
 * and the independent ones in parallel. The archive (schema only, small) is kept in a temporary
 * directory while the restore runs; {@code pg_restore -l} lists it and {@code pg_restore -L} renders
 * one item at a time, exactly as pg_restore would run it.
 */
final class PostDataItems implements AutoCloseable {

  /** When an item may run, in the order of the constants, each phase after the one before ends. */
  enum Phase {
    /** Indexes and primary key, unique, exclusion and check constraints: independent of each other. */
    INDEXES(true),
    /** Partitions' indexes attached to their parent's: completes a partitioned table's unique index. */
    INDEX_ATTACHMENTS(false),
    /** Foreign keys: they need the referenced table's unique index, complete. */
    FOREIGN_KEYS(true),
    /** Everything else (triggers, rules, materialized view data...): one at a time, in archive order. */
    IN_ORDER(false);

    private final boolean parallel;

    Phase(boolean parallel) {
      this.parallel = parallel;
    }

    /** Whether the phase's items may run at the same time (else one at a time, in archive order). */
    boolean parallel() {
      return parallel;
    }
  }

  /**
   * @param tocLine the item's line in {@code pg_restore -l}
   */
  record Item(int dumpId, String tocLine, Phase phase) {

    /** The checkpoint key: stable for one archive. */
    String key() {
      return "post-data.dump#" + dumpId;
    }

    /** {@code INDEX public pgbench_accounts_pkey} and the like, for progress and messages. */
    String describe() {
      Matcher m = TOC_LINE.matcher(tocLine);
      return m.matches() ? m.group(2) : tocLine;
    }
  }

  // "3236; 2606 16401 CONSTRAINT public child child_pkey app": dump id; catalog table oid, object oid; the rest
  private static final Pattern TOC_LINE = Pattern.compile("(\\d+); \\d+ \\d+ (.*)");

  private final ClientPrograms programs;
  private final Path directory;
  private final Path archive;
  private final List<Item> items;

  private PostDataItems(ClientPrograms programs, Path directory, Path archive, List<Item> items) {
    this.programs = programs;
    this.directory = directory;
    this.archive = archive;
    this.items = items;
  }

  /**
   * Copies the archive from {@code in} to a temporary directory and, once it proved to be the
   * stored one ({@code size} bytes with that SHA-256), lists its items.
   */
  static PostDataItems read(ClientPrograms programs, VerifiedStream in, long size, String sha256)
      throws IOException, InterruptedException {
    Path directory = Files.createTempDirectory("pgdr-post-data-");
    try {
      Path archive = directory.resolve("post-data.dump");
      Files.copy(in, archive);
      in.drain();
      if (!in.matches(size, sha256)) {
        throw in.corrupt(size);
      }
      String listing = run(programs.offline("pg_restore", List.of("-l", archive.toString())), "pg_restore -l post-data.dump");
      List<Item> items = new ArrayList<>();
      for (String line : listing.split("\n")) {
        Matcher m = TOC_LINE.matcher(line.strip());
        if (m.matches()) {
          items.add(new Item(Integer.parseInt(m.group(1)), line.strip(), phaseOf(m.group(2))));
        }
      }
      return new PostDataItems(programs, directory, archive, List.copyOf(items));
    } catch (IOException | InterruptedException | RuntimeException e) {
      deleteTree(directory);
      throw e;
    }
  }

  private static Phase phaseOf(String typeAndName) {
    if (typeAndName.startsWith("INDEX ATTACH ")) {
      return Phase.INDEX_ATTACHMENTS;
    }
    if (typeAndName.startsWith("INDEX ") || typeAndName.startsWith("CONSTRAINT ")) {
      return Phase.INDEXES;
    }
    if (typeAndName.startsWith("FK CONSTRAINT ")) {
      return Phase.FOREIGN_KEYS;
    }
    return Phase.IN_ORDER;
  }

  List<Item> items() {
    return items;
  }

  List<Item> items(Phase phase) {
    return items.stream().filter(item -> item.phase() == phase).toList();
  }

  /**
   * The SQL of one item, with pg_restore's session settings before it. psql's {@code \restrict}
   * guard lines are dropped: they are for psql, and this SQL goes to the server over JDBC.
   */
  String sql(Item item) throws IOException, InterruptedException {
    Path list = directory.resolve("item-" + item.dumpId() + ".list");
    Files.writeString(list, item.tocLine() + "\n");
    try {
      String script = run(programs.offline("pg_restore", List.of("-L", list.toString(), "-f", "-", archive.toString())),
          "pg_restore of post-data item " + item.describe());
      StringBuilder sql = new StringBuilder();
      for (String line : script.split("\n", -1)) {
        if (line.startsWith("\\restrict") || line.startsWith("\\unrestrict")) {
          continue;
        }
        if (line.startsWith("\\")) {
          throw new IOException("pg_restore wrote a psql command for post-data item " + item.describe() + ": " + line);
        }
        sql.append(line).append('\n');
      }
      return sql.toString();
    } finally {
      Files.deleteIfExists(list);
    }
  }

  private static String run(ProcessBuilder builder, String what) throws IOException, InterruptedException {
    try (DumpProcess process = DumpProcess.start(builder, what, true)) {
      byte[] out = process.stdout().readAllBytes();
      process.finish();
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() {
    deleteTree(directory);
  }

  private static void deleteTree(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind holds a schema, no data
    }
  }
}
