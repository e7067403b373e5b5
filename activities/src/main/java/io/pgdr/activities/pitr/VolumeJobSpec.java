package io.pgdr.activities.pitr;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.PitrTarget;
import io.pgdr.ports.PostgresServer;
import io.pgdr.target.BackupLocation;
import io.pgdr.ports.FailureTypes;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import io.temporal.failure.ApplicationFailure;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * What a pod pgdr starts in a target's namespace does on the volume it mounts: one PITR step with
 * the arguments the activity was given, as JSON in the pod's environment. Names of credentials
 * only, as in workflow history: the pod reads the values from the Secrets its environment refers to.
 *
 * @param step {@link #RESTORE_BASE} or {@link #RECOVER}
 * @param server the recovering server, for {@link #RECOVER}; null for {@link #RESTORE_BASE}
 */
record VolumeJobSpec(String step, DataVolume volume, BackupLocation location, PitrResolution resolution, PitrTarget target, String runId,
    PostgresServer server) {

  static final String RESTORE_BASE = "restore-base";
  static final String RECOVER = "recover";

  /** The mapper Temporal's payloads use: the records read back as the activity received them. */
  static final ObjectMapper JSON = JacksonJsonPayloadConverter.newDefaultObjectMapper();

  /**
   * What one environment variable may hold: Linux refuses to start a process with a longer string
   * (128 KiB); the rest is margin for the Job object and the other variables.
   */
  static final int MAX_ENCODED = 96 * 1024;

  /**
   * The spec as gzipped JSON in base64: the WAL segment names of a long archive compress to a few
   * bytes each, so the environment holds weeks of them.
   */
  String encoded() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      JSON.writeValue(out, this);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String encoded = Base64.getEncoder().encodeToString(bytes.toByteArray());
    if (encoded.length() > MAX_ENCODED) {
      throw ApplicationFailure.newNonRetryableFailure("the recovery reads " + resolution.allSegments().size() + " WAL segments: too"
          + " many to hand to a pod (" + encoded.length() + " bytes encoded, at most " + MAX_ENCODED + "); choose a base backup"
          + " closer to the target", FailureTypes.DATA_VOLUME_UNUSABLE);
    }
    return encoded;
  }

  static VolumeJobSpec decode(String encoded) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(encoded)))) {
      return JSON.readValue(in, VolumeJobSpec.class);
    }
  }
}
