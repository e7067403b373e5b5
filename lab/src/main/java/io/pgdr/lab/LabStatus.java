package io.pgdr.lab;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a running lab offers, as the daemon writes it to {@code <dir>/lab.json} once everything
 * is up: where the target file and kubeconfig are, the API, Temporal and Service endpoints, and
 * each pod's real server.
 *
 * @param temporalServer which Temporal runs: the Temporal CLI's dev server (with its server and UI
 *     versions) or {@value #JAVA_TEST_SERVICE}
 * @param temporalUi the Temporal Web UI's URL; null without one (the Java test service has none)
 * @param temporalFallback with the Java test service, the one line saying what is then missing
 *     and why the real server does not run; null when it runs
 * @param pods pod name to {@code host:port} of its real server
 * @param s3Endpoint the lab's S3-compatible store ({@link S3Store}), holding the backup bucket
 * @param patroni in a Patroni lab ({@code lab up --patroni}), each member's Patroni REST API; null in the plain lab
 */
public record LabStatus(
    Path dir,
    Path targetFile,
    Path kubeconfig,
    String kubernetesApiUrl,
    String temporalAddress,
    String temporalServer,
    String temporalUi,
    String temporalFallback,
    String serviceEndpoint,
    Map<String, String> pods,
    long daemonPid,
    String s3Endpoint,
    Map<String, String> patroni) {

  /** {@link #temporalServer()} when the lab runs Temporal's Java test service (in its daemon). */
  public static final String JAVA_TEST_SERVICE = "Java test service";

  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new SimpleModule()
          // plain paths, not file:// URIs: people read and copy from lab.json
          .addSerializer(Path.class, new ToStringSerializer(Path.class))
          .addDeserializer(Path.class, new StdDeserializer<>(Path.class) {
            @Override
            public Path deserialize(JsonParser parser, DeserializationContext context) throws IOException {
              return Path.of(parser.getValueAsString());
            }
          }))
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(SerializationFeature.INDENT_OUTPUT);

  public LabStatus {
    pods = pods == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(pods));
    patroni = patroni == null ? null : Collections.unmodifiableMap(new TreeMap<>(patroni));
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write lab status", e);
    }
  }

  public static LabStatus fromJson(String json) {
    try {
      return JSON.readValue(json, LabStatus.class);
    } catch (IOException e) {
      throw new LabException("lab status is not readable: " + e.getMessage(), e);
    }
  }

  public static LabStatus read(Path file) {
    try {
      return fromJson(Files.readString(file));
    } catch (IOException e) {
      throw new LabException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Writes atomically, so a reader polling for the file never sees half of it. */
  public void write(Path file) {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try {
      Files.writeString(partial, toJson());
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new LabException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
