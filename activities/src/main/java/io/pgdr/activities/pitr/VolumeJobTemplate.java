package io.pgdr.activities.pitr;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.pgdr.ports.FailureTypes;
import io.pgdr.target.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Job that runs one PITR step in a pod mounting a data claim, built from the StatefulSet whose
 * claim it is: the database pod's user, service account and node constraints, the data directory
 * where the database container keeps {@code PGDATA}, and the credentials as references to the
 * target's Secrets (never their values).
 */
final class VolumeJobTemplate {

  /** Where the pod mounts the claim. */
  static final String MOUNT = "/pgdr/volume";
  static final String SPEC_ENV = "PGDR_VOLUME_JOB";
  static final String DIR_ENV = "PGDR_VOLUME_DIR";
  static final String RESULT_ENV = "PGDR_RESULT_FILE";
  static final String PG_USER_ENV = "PGDR_PG_USER";
  static final String PG_PASSWORD_ENV = "PGDR_PG_PASSWORD";
  static final String TERMINATION_LOG = "/dev/termination-log";
  /**
   * Below the activity's 12 h start-to-close timeout: a Job nobody follows any more ends by itself,
   * before an attempt that timed out is retried and could start another.
   */
  static final long DEADLINE_SECONDS = Duration.ofHours(11).plusMinutes(30).toSeconds();
  /** A finished Job stays a day for whoever inspects it (and for a worker that crashed while it finished). */
  private static final int KEEP_FINISHED_SECONDS = (int) Duration.ofDays(1).toSeconds();

  private VolumeJobTemplate() {}

  /** @param node the node the pod must run on (sharing the recovering pod's volume), or null for the scheduler to choose */
  static Job build(StatefulSet sts, VolumeJobSpec spec, String name, Map<String, String> labels, String node, String image) {
    PodSpec database = sts.getSpec().getTemplate().getSpec();
    String template = sts.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
    Container server = database.getContainers().stream()
        .filter(c -> c.getVolumeMounts() != null && c.getVolumeMounts().stream().anyMatch(m -> template.equals(m.getName())))
        .findFirst().orElse(database.getContainers().get(0));
    PodSecurityContext runAs = runAs(database, server);
    boolean root = runAs.getRunAsUser() == 0;
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVar(SPEC_ENV, spec.encoded(), null));
    env.add(new EnvVar(DIR_ENV, dataDirectory(server, template), null));
    env.add(new EnvVar(RESULT_ENV, TERMINATION_LOG, null));
    env.addAll(storeKeys(spec));
    if (spec.server() != null) {
      env.addAll(databaseCredentials(spec.server().credentials()));
    }
    return new JobBuilder()
        .withNewMetadata().withName(name).withNamespace(spec.volume().namespace()).withLabels(labels)
          .addToAnnotations("pgdr.io/claim", spec.volume().claim()).endMetadata()
        .withNewSpec()
          .withBackoffLimit(0)
          .withActiveDeadlineSeconds(DEADLINE_SECONDS)
          .withTtlSecondsAfterFinished(KEEP_FINISHED_SECONDS)
          .withNewTemplate()
            .withNewMetadata().withLabels(labels).endMetadata()
            .withNewSpec()
              .withRestartPolicy("Never")
              .withNodeName(node)
              .withServiceAccountName(database.getServiceAccountName())
              .withImagePullSecrets(database.getImagePullSecrets())
              .withSecurityContext(runAs)
              .withNodeSelector(database.getNodeSelector())
              .withTolerations(database.getTolerations())
              .withAffinity(node == null ? nodeAffinity(database.getAffinity()) : null)
              .addNewContainer()
                .withName("pgdr")
                .withImage(image)
                .withArgs("volume-job")
                .withEnv(env)
                .withSecurityContext(container(root))
                .addNewVolumeMount().withName("data").withMountPath(MOUNT).endVolumeMount()
                .withTerminationMessagePath(TERMINATION_LOG)
                .withTerminationMessagePolicy("FallbackToLogsOnError")
              .endContainer()
              .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName(spec.volume().claim())
                .endPersistentVolumeClaim().endVolume()
            .endSpec()
          .endTemplate()
        .endSpec()
        .build();
  }

  /**
   * The data directory as the pod sees it: {@code PGDATA} of the database container relative to
   * where it mounts the volume (images that keep it in a subdirectory, e.g. {@code .../data/pgdata}),
   * under the mount's {@code subPath}. A PGDATA pgdr cannot read from the StatefulSet, or one off
   * the volume, is refused: restoring into the wrong directory would leave the server an empty one.
   */
  static String dataDirectory(Container server, String template) {
    VolumeMount mount = server.getVolumeMounts() == null ? null
        : server.getVolumeMounts().stream().filter(m -> template.equals(m.getName())).findFirst().orElse(null);
    String dir = MOUNT;
    if (mount == null) {
      return dir;
    }
    if (mount.getSubPath() != null && !mount.getSubPath().isBlank()) {
      dir += "/" + mount.getSubPath();
    }
    EnvVar pgdataVar = server.getEnv() == null ? null
        : server.getEnv().stream().filter(e -> "PGDATA".equals(e.getName())).findFirst().orElse(null);
    if (pgdataVar != null && pgdataVar.getValue() == null) {
      throw unusable("container " + server.getName() + " takes PGDATA from a reference (valueFrom): pgdr restores only where it can"
          + " read the data directory from the StatefulSet; give PGDATA as a value");
    }
    String pgdata = pgdataVar == null ? null : pgdataVar.getValue();
    String mountPath = mount.getMountPath().replaceAll("/+$", "");
    if (pgdata == null || pgdata.replaceAll("/+$", "").equals(mountPath)) {
      return dir;
    }
    if (!pgdata.startsWith(mountPath + "/")) {
      throw unusable("container " + server.getName() + " keeps PGDATA at " + pgdata + ", not on the volume it mounts at " + mountPath
          + ": restoring into that volume would not change the database's data");
    }
    return dir + "/" + pgdata.substring(mountPath.length() + 1).replaceAll("/+$", "");
  }

  /**
   * The database pod's user, so the files are its own: its security context (the container's user
   * winning over the pod's), or root when it sets none (images like the official postgres one start
   * as root and hand the directory to postgres). A pod that only says {@code runAsNonRoot} leaves
   * the user to its image, which pgdr cannot see: refused.
   */
  static PodSecurityContext runAs(PodSpec database, Container server) {
    PodSecurityContext pod = database.getSecurityContext();
    Long user = pod == null ? null : pod.getRunAsUser();
    Long group = pod == null ? null : pod.getRunAsGroup();
    SecurityContext own = server.getSecurityContext();
    if (own != null && own.getRunAsUser() != null) {
      user = own.getRunAsUser();
    }
    if (own != null && own.getRunAsGroup() != null) {
      group = own.getRunAsGroup();
    }
    boolean nonRoot = (pod != null && Boolean.TRUE.equals(pod.getRunAsNonRoot())) || (own != null && Boolean.TRUE.equals(own.getRunAsNonRoot()));
    if (user == null && nonRoot) {
      throw unusable("the database pod runs as non-root without naming its user (runAsNonRoot, no runAsUser): pgdr writes the data"
          + " as the database's user and cannot tell it from the image; set runAsUser on the StatefulSet's pod");
    }
    PodSecurityContextBuilder context = pod == null ? new PodSecurityContextBuilder() : new PodSecurityContextBuilder(pod);
    return context.withRunAsUser(user == null ? 0L : user).withRunAsGroup(group)
        .withRunAsNonRoot(user != null && user != 0 ? Boolean.TRUE : null)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build();
  }

  /** A non-root pod gives up every capability (the restricted Pod Security level); root keeps what giving files their owner needs. */
  private static SecurityContext container(boolean root) {
    SecurityContextBuilder context = new SecurityContextBuilder().withAllowPrivilegeEscalation(false);
    return root ? context.build() : context.withNewCapabilities().withDrop("ALL").endCapabilities().build();
  }

  /** The database pod's required node affinity: a volume first bound by this pod must be where the database can run. */
  private static Affinity nodeAffinity(Affinity affinity) {
    return affinity == null || affinity.getNodeAffinity() == null ? null
        : new AffinityBuilder().withNodeAffinity(affinity.getNodeAffinity()).build();
  }

  /** The store's keys from the Secret the target names, under the names the location gives them. */
  static List<EnvVar> storeKeys(VolumeJobSpec spec) {
    var location = spec.location();
    if (location.accessKeyEnv() == null) {
      return List.of();
    }
    if (location.keysSecret() == null) {
      throw ApplicationFailure.newNonRetryableFailure("the pod that writes the volume needs the store's keys: name the Secret in namespace "
          + spec.volume().namespace() + " that holds " + location.accessKeyEnv() + " and " + location.secretKeyEnv()
          + " as the target's backups.keysSecret", FailureTypes.CREDENTIALS_UNAVAILABLE);
    }
    return List.of(fromSecret(location.accessKeyEnv(), location.keysSecret(), location.accessKeyEnv()),
        fromSecret(location.secretKeyEnv(), location.keysSecret(), location.secretKeyEnv()));
  }

  private static List<EnvVar> databaseCredentials(SecretRef credentials) {
    if (credentials.secret() == null || credentials.secret().isBlank()) {
      throw ApplicationFailure.newNonRetryableFailure("the pod that feeds the recovery reads the database's credentials from a Secret;"
          + " postgres.credentials.passwordEnv names a variable of the worker only: set postgres.credentials.secret",
          FailureTypes.CREDENTIALS_UNAVAILABLE);
    }
    return List.of(fromSecret(PG_USER_ENV, credentials.secret(), credentials.usernameKey()),
        fromSecret(PG_PASSWORD_ENV, credentials.secret(), credentials.passwordKey()));
  }

  private static EnvVar fromSecret(String name, String secret, String key) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key).endSecretKeyRef()
        .endValueFrom().build();
  }

  private static ApplicationFailure unusable(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, FailureTypes.DATA_VOLUME_UNUSABLE);
  }
}
