package io.pgdr.activities.pitr;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.activities.store.S3Clients;
import io.pgdr.ports.DataVolume;
import io.pgdr.ports.FailureTypes;
import io.pgdr.ports.PostgresServer;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inside of a volume Job's pod ({@code pgdr volume-job}): runs the step its environment names on
 * the mounted volume with the same code a worker runs on a directory it reaches, and leaves the
 * result, or the failure, as the container's termination message, where the activity reads it.
 * Progress goes to the pod's log.
 */
public final class VolumeJobAgent {

  private static final Logger log = LoggerFactory.getLogger(VolumeJobAgent.class);

  private VolumeJobAgent() {}

  /** @return the process's exit status: 0 when the step succeeded */
  public static int run(Function<String, String> environment) {
    Path resultFile = Path.of(orDefault(environment.apply(VolumeJobTemplate.RESULT_ENV), "/dev/termination-log"));
    VolumeJobResult result;
    try {
      result = VolumeJobResult.of(step(environment));
    } catch (ApplicationFailure failure) {
      log.error("{} failed: {}", environment.apply(VolumeJobTemplate.DIR_ENV), failure.getOriginalMessage());
      result = VolumeJobResult.of(failure);
    } catch (Exception e) {
      log.error("volume job failed", e);
      result = VolumeJobResult.of(ApplicationFailure.newFailure(e.toString(), FailureTypes.RESTORE_FAILED));
    }
    try {
      Files.writeString(resultFile, result.toMessage());
    } catch (IOException e) {
      log.error("the result could not be written to {}: {}", resultFile, e.toString());
      return 2;
    }
    return result.succeeded() ? 0 : 1;
  }

  private static Object step(Function<String, String> environment) throws IOException {
    String json = environment.apply(VolumeJobTemplate.SPEC_ENV);
    if (json == null || environment.apply(VolumeJobTemplate.DIR_ENV) == null) {
      throw ApplicationFailure.newNonRetryableFailure("pgdr volume-job runs in a pod pgdr starts: " + VolumeJobTemplate.SPEC_ENV + " and "
          + VolumeJobTemplate.DIR_ENV + " are not set", FailureTypes.DATA_VOLUME_UNUSABLE);
    }
    VolumeJobSpec spec = VolumeJobSpec.decode(json);
    Path dir = Path.of(environment.apply(VolumeJobTemplate.DIR_ENV));
    createDataDirectory(dir);
    DataVolume here = new DataVolume(spec.volume().claim(), spec.volume().volume(), dir.toString(), spec.volume().namespace(),
        spec.volume().statefulSet());
    log.info("{} of run {} on {} (claim {})", spec.step(), spec.runId(), dir, spec.volume().claim());
    try (S3Clients s3 = new S3Clients("the volume pod's environment")) {
      PitrActivitiesImpl pitr = new PitrActivitiesImpl(CredentialResolver.fromEnvironment(environment), s3, Clock.systemUTC(),
          progress -> log.info("{}", progress), RecoveryFeed.RESTART_PATIENCE, null);
      if (VolumeJobSpec.RESTORE_BASE.equals(spec.step())) {
        return pitr.restoreBase(here, spec.location(), spec.resolution(), spec.target(), spec.runId());
      }
      PostgresServer server = spec.server();
      // the pod reads the credentials the Job's environment took from the target's Secret
      PostgresServer withPodCredentials = new PostgresServer(server.pod(), server.host(), server.port(), server.database(), server.namespace(),
          SecretRef.environment(environment.apply(VolumeJobTemplate.PG_USER_ENV), VolumeJobTemplate.PG_PASSWORD_ENV));
      return pitr.recoverToTarget(here, withPodCredentials, spec.location(), spec.resolution(), spec.target());
    }
  }

  /** A data directory below the volume's root (PGDATA in a subdirectory) is made, owned as the root is. */
  private static void createDataDirectory(Path dir) throws IOException {
    Path existing = dir;
    while (existing != null && !Files.isDirectory(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      throw new IOException("no directory on the way to " + dir);
    }
    if (!existing.equals(dir)) {
      VolumeOwner.of(existing).createDirectories(existing, dir);
    }
  }

  private static String orDefault(String value, String otherwise) {
    return value == null || value.isBlank() ? otherwise : value;
  }

  public static void main(String[] args) {
    System.exit(run(System::getenv));
  }
}
