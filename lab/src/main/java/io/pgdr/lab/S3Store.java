package io.pgdr.lab;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * The lab's S3-compatible store: Adobe S3Mock's executable jar run as a separate process, storing
 * its buckets under a directory and answering plain HTTP on a kernel-chosen loopback port.
 *
 * <p>S3Mock always adds a plain-HTTP connector that binds every interface; a bean definition
 * loaded into it ({@code s3mock-loopback.xml}) gives that connector the loopback address, and
 * {@link #start} checks in {@code /proc} that every socket the process listens on is loopback
 * before handing the store out.
 */
public final class S3Store implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final String LOG_FILE = "s3mock.log";
  private static final String PORT_FILE = "s3mock.port";
  private static final String PID_FILE = "s3mock.pid";
  private static final String BEANS_FILE = "s3mock-loopback.xml";

  private final Process process;
  private final Path dir;
  private final String endpoint;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private S3Store(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.endpoint = "http://127.0.0.1:" + port;
  }

  /** Starts S3Mock (exec jar) as a separate OS process on a free loopback port, storing under dir; waits until it answers. */
  public static S3Store start(Path dir) {
    Path jar = jar();
    if (!Files.isRegularFile(jar)) {
      throw new LabException("S3Mock's executable jar is missing (" + jar + "): build the lab module, which fetches it, or run "
          + "mvn dependency:get -Dartifact=com.adobe.testing:s3mock:" + version() + ":jar:exec");
    }
    return start(dir, S3MockClassSharing.launch(jar, version()));
  }

  /** @param launch the JVM options and the {@code -jar} that start S3Mock ({@link S3MockClassSharing}) */
  static S3Store start(Path dir, List<String> launch) {
    Path root = dir.toAbsolutePath();
    Path beans = root.resolve(BEANS_FILE);
    try {
      Files.createDirectories(root.resolve("buckets"));
      Files.deleteIfExists(root.resolve(PORT_FILE));
      try (InputStream in = S3Store.class.getResourceAsStream(BEANS_FILE)) {
        Files.copy(in, beans, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new LabException("cannot prepare " + root + " for S3Mock: " + e.getMessage(), e);
    }
    List<String> command = new java.util.ArrayList<>(List.of(
        OwnProcesses.java(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(launch);
    command.addAll(List.of(
        "--server.address=127.0.0.1",
        "--server.port=0",
        // the main connector, the one pgdr uses, speaks plain HTTP (loopback only, no secrets in a lab)
        "--server.ssl.enabled=false",
        "--com.adobe.testing.s3mock.httpPort=0",
        "--com.adobe.testing.s3mock.store.root=" + root.resolve("buckets"),
        // buckets outlive the process: a lab daemon restarted over the same directory keeps its backups
        "--com.adobe.testing.s3mock.store.retainFilesOnExit=true",
        "--spring.main.sources=file:" + beans,
        "--pgdr.port-file=" + root.resolve(PORT_FILE)));
    Process process;
    try {
      process = new ProcessBuilder(command)
          .directory(root.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve(LOG_FILE).toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .start();
      OwnProcesses.writePid(root.resolve(PID_FILE), process);
    } catch (IOException e) {
      throw new LabException("cannot start S3Mock: " + e.getMessage(), e);
    }
    S3Store store = null;
    try {
      store = new S3Store(process, root, awaitPort(process, root));
      store.awaitAnswer();
      OwnProcesses.requireLoopbackOnly(process.pid(), "S3Mock");
      return store;
    } catch (RuntimeException e) {
      if (store != null) {
        store.close();
      } else {
        stop(process);
      }
      throw e;
    }
  }

  /** True when the S3Mock jar is available locally (never downloads; for RequiredComponent guards). */
  public static boolean present() {
    return Files.isRegularFile(jar());
  }

  /** The hint for {@link RequiredComponent#require} when {@link #present()} is false. */
  public static String installHint() {
    return "fetch S3Mock: mvn dependency:get -Dartifact=com.adobe.testing:s3mock:" + version() + ":jar:exec (building the lab module does it)";
  }

  /** For example {@code http://127.0.0.1:PORT}: plain HTTP, loopback only. */
  public String endpoint() {
    return endpoint;
  }

  public long pid() {
    return process.pid();
  }

  /** Creates the bucket; one that exists already is fine. */
  public void createBucket(String name) {
    HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(endpoint + "/" + name))
        .PUT(HttpRequest.BodyPublishers.noBody()).build());
    boolean exists = response.statusCode() == 409 && response.body().contains("BucketAlreadyOwnedByYou");
    if (response.statusCode() != 200 && !exists) {
      throw new LabException("S3Mock refused to create bucket " + name + ": HTTP " + response.statusCode() + " " + response.body());
    }
  }

  /** Stops the process and waits for it. */
  @Override
  public void close() {
    stop(process);
    try {
      Files.deleteIfExists(dir.resolve(PID_FILE));
      Files.deleteIfExists(dir.resolve(PORT_FILE));
    } catch (IOException e) {
      // a stale file only costs a liveness check in stopLeftover
    }
  }

  /**
   * Stops an S3Mock that a crashed lab daemon left running under {@code dir}, if any. Checks that the
   * recorded pid still runs the S3Mock jar, so a recycled pid is never signalled.
   */
  public static void stopLeftover(Path dir) {
    String jarName = jar().getFileName().toString();
    OwnProcesses.stopLeftover(dir.resolve(PID_FILE), args -> args.stream().anyMatch(a -> a.endsWith(jarName)), STOP_TIMEOUT);
  }

  private static int awaitPort(Process process, Path root) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Path portFile = root.resolve(PORT_FILE);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new LabException("S3Mock exited (" + process.exitValue() + ") while starting; see " + root.resolve(LOG_FILE));
      }
      try {
        String port = Files.exists(portFile) ? Files.readString(portFile).trim() : "";
        if (!port.isEmpty()) {
          return Integer.parseInt(port);
        }
      } catch (IOException | NumberFormatException halfWritten) {
        // read again on the next turn
      }
      PostgresPair.sleep(100);
    }
    throw new LabException("S3Mock did not listen within " + READY_TIMEOUT.toSeconds() + " s; see " + root.resolve(LOG_FILE));
  }

  private void awaitAnswer() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      try {
        HttpResponse<String> buckets = http.send(HttpRequest.newBuilder(URI.create(endpoint + "/")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
        if (buckets.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // the connector listens before the application answers
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new LabException("interrupted while waiting for S3Mock", e);
      }
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new LabException("S3Mock did not answer on " + endpoint + "; see " + dir.resolve(LOG_FILE));
      }
      PostgresPair.sleep(100);
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new LabException("S3Mock at " + endpoint + " did not answer: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while talking to S3Mock", e);
    }
  }

  private static void stop(Process process) {
    OwnProcesses.stop(process.toHandle(), STOP_TIMEOUT);
  }

  private static Path jar() {
    String version = version();
    return Path.of(coordinates().getProperty("repository"), "com", "adobe", "testing", "s3mock", version,
        "s3mock-" + version + "-exec.jar");
  }

  private static String version() {
    return coordinates().getProperty("version");
  }

  private static Properties coordinates() {
    Properties properties = new Properties();
    try (InputStream in = S3Store.class.getResourceAsStream("s3mock.properties")) {
      if (in == null) {
        throw new LabException("s3mock.properties is missing from the lab module: rebuild it with Maven");
      }
      properties.load(in);
      return properties;
    } catch (IOException e) {
      throw new LabException("cannot read s3mock.properties: " + e.getMessage(), e);
    }
  }
}
