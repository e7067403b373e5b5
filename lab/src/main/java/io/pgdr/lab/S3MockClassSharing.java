package io.pgdr.lab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * S3Mock started in about half the CPU: every lab and many tests start one, and from its Spring Boot
 * executable jar a start took 4.8 s of CPU (3.7 s of wall clock) on 2 cores, 2.5 s (1.8 s) this way.
 * Once per machine, in pgdr's cache ({@code s3mock-<version>/}), the jar is extracted, so its classes
 * load from plain jars, and one start and stop there archives them (class data sharing), which each
 * later start maps. Anything that goes wrong here leaves S3Mock started as before, from its jar.
 */
final class S3MockClassSharing {

  private static final Logger log = LoggerFactory.getLogger(S3MockClassSharing.class);
  private static final String ARCHIVE = "s3mock.jsa";

  private S3MockClassSharing() {}

  /** The {@code java} options and {@code -jar} that start S3Mock: the archived ones when they can be made. */
  static List<String> launch(Path execJar, String version) {
    Path home = TemporalDevServer.cacheDir().resolve("s3mock-" + version);
    Path extracted = home.resolve(execJar.getFileName());
    Path archive = home.resolve(ARCHIVE);
    // an archive that could not be made (a JDK without a base archive, say) is not tried at each start
    Path failed = home.resolve(ARCHIVE + ".failed");
    try {
      if (!Files.isRegularFile(archive) && !Files.exists(failed)) {
        Files.createDirectories(home.getParent());
        // one JVM prepares at a time (two test JVMs may start S3Mock together); the other waits for it
        try (FileChannel lockFile = FileChannel.open(home.getParent().resolve("s3mock-" + version + ".lock"),
            StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = lockFile.lock()) {
          if (!Files.isRegularFile(extracted)) {
            extract(execJar, home);
          }
          if (!Files.isRegularFile(archive) && !Files.exists(failed)) {
            try {
              archiveClasses(extracted, archive);
            } catch (IOException | RuntimeException e) {
              Files.writeString(failed, e + "\n");
              throw e;
            }
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      log.warn("S3Mock starts without class sharing: {}", e.toString());
    }
    if (Files.isRegularFile(archive)) {
      return List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-jar", extracted.toString());
    }
    return List.of("-jar", (Files.isRegularFile(extracted) ? extracted : execJar).toString());
  }

  /** Spring Boot's own extraction ({@code -Djarmode=tools extract}), into a directory renamed into place whole. */
  private static void extract(Path execJar, Path home) throws IOException {
    Path partial = home.resolveSibling(home.getFileName() + ".partial");
    Lab.deleteTree(partial);
    run(List.of(OwnProcesses.java(), "-Djarmode=tools", "-jar", execJar.toString(), "extract", "--destination", partial.toString()), partial);
    Lab.deleteTree(home);
    Files.move(partial, home, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * A start and a graceful stop of the extracted S3Mock with {@code -XX:ArchiveClassesAtExit}, in
   * place (an archive names the jars it was made from), over a store directory thrown away after.
   */
  private static void archiveClasses(Path extracted, Path archive) throws IOException {
    Path partial = archive.resolveSibling(ARCHIVE + ".partial");
    Files.deleteIfExists(partial);
    Path store = Files.createTempDirectory("pgdr-s3mock-classes");
    try {
      S3Store.start(store, List.of("-XX:ArchiveClassesAtExit=" + partial, "-jar", extracted.toString())).close();
      if (!Files.isRegularFile(partial)) {
        throw new IOException("S3Mock stopped without writing " + partial + "; see " + store.resolve("s3mock.log"));
      }
      Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE);
      log.info("S3Mock's classes archived in {}: later starts map them", archive);
    } finally {
      Lab.deleteTree(store);
    }
  }

  private static void run(List<String> command, Path expected) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0 || !Files.isDirectory(expected)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
