package io.pgdr.activities.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pgdr.activities.kubernetes.FabricaCluster;
import io.pgdr.target.SecretRef;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Credentials come from a Kubernetes Secret or the worker's environment; errors say where they looked. */
@EnableKubernetesMockClient(crud = true)
class CredentialResolverTest {

  static final String NS = FabricaCluster.NAMESPACE;

  KubernetesClient client;
  CredentialResolver resolver;

  @BeforeEach
  void seed() {
    FabricaCluster.seed(client);
    resolver = new CredentialResolver(client, Map.of("PGDR_FABRICA_PASSWORD", "from-env")::get);
  }

  @Test
  void aSecretGivesBase64DecodedUserAndPassword() {
    Credentials credentials = resolver.resolve(SecretRef.kubernetesSecret(FabricaCluster.SECRET), NS);

    assertEquals(new Credentials(FabricaCluster.SECRET_USER, FabricaCluster.SECRET_PASSWORD), credentials);
  }

  @Test
  void customKeysAreRead() {
    client.secrets().inNamespace(NS).resource(new SecretBuilder()
        .withNewMetadata().withName("pg-admin").endMetadata()
        .withData(Map.of("PGUSER", FabricaCluster.base64("admin"), "PGPASSWORD", FabricaCluster.base64("pw")))
        .build()).create();

    Credentials credentials = resolver.resolve(new SecretRef("pg-admin", "PGUSER", "PGPASSWORD", null, null), NS);

    assertEquals(new Credentials("admin", "pw"), credentials);
  }

  @Test
  void anEnvironmentVariableGivesThePassword() {
    Credentials credentials = resolver.resolve(SecretRef.environment("postgres", "PGDR_FABRICA_PASSWORD"), NS);

    assertEquals(new Credentials("postgres", "from-env"), credentials);
  }

  @Test
  void aMissingKeyIsNamed() {
    client.secrets().inNamespace(NS).resource(new SecretBuilder()
        .withNewMetadata().withName(FabricaCluster.SECRET).endMetadata()
        .withData(Map.of("username", FabricaCluster.base64("postgres")))
        .build()).update();

    var e = assertThrows(CredentialsUnavailableException.class,
        () -> resolver.resolve(SecretRef.kubernetesSecret(FabricaCluster.SECRET), NS));

    assertEquals("Secret fabrica-agentes/postgresql-credentials has no key 'password'", e.getMessage());
  }

  @Test
  void aMissingSecretIsNamed() {
    var e = assertThrows(CredentialsUnavailableException.class,
        () -> resolver.resolve(SecretRef.kubernetesSecret("no-such-secret"), NS));

    assertEquals("Secret fabrica-agentes/no-such-secret not found", e.getMessage());
  }

  @Test
  void aMissingVariableIsNamed() {
    var e = assertThrows(CredentialsUnavailableException.class,
        () -> resolver.resolve(SecretRef.environment("postgres", "PGDR_UNSET"), NS));

    assertEquals("environment variable PGDR_UNSET (password for postgres) is not set in the worker's environment", e.getMessage());
  }

  @Test
  void aSecretWithoutKubernetesClientIsExplained() {
    var e = assertThrows(CredentialsUnavailableException.class, () -> CredentialResolver.fromEnvironment(name -> null)
        .resolve(SecretRef.kubernetesSecret(FabricaCluster.SECRET), NS));

    assertEquals("Secret fabrica-agentes/postgresql-credentials cannot be read: this worker has no Kubernetes client",
        e.getMessage());
  }

  @Test
  void thePasswordNeverAppearsInToString() {
    String shown = resolver.resolve(SecretRef.kubernetesSecret(FabricaCluster.SECRET), NS).toString();

    assertFalse(shown.contains(FabricaCluster.SECRET_PASSWORD), shown);
    assertEquals("Credentials[user=postgres, password=***]", shown);
  }
}
