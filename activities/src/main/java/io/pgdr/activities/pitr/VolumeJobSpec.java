package io.pgdr.activities.pitr;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.PitrResolution;
import io.pgdr.ports.PitrTarget;
import io.pgdr.ports.PostgresServer;
import io.pgdr.target.BackupLocation;
import io.temporal.common.converter.JacksonJsonPayloadConverter;
import java.io.UncheckedIOException;

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

  String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static VolumeJobSpec fromJson(String json) throws JsonProcessingException {
    return JSON.readValue(json, VolumeJobSpec.class);
  }
}
