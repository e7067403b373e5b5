package io.pgdr.activities.backup;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.target.BackupLocation;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3 client per backup location, kept for the worker's life (clients pool connections). An
 * endpoint override means an S3-compatible store (MinIO, the lab's server): path-style addressing,
 * so a bucket name needs no DNS entry. Keys come from the environment variables the location
 * names, else the SDK's default chain; an S3-compatible store with no credentials anywhere is
 * asked anonymously.
 */
public final class S3Clients implements AutoCloseable {

  /** Parallel part transfers need more than the SDK's default pool of 50 only on big machines; 64 is plenty. */
  private static final int MAX_CONNECTIONS = 64;

  private final Map<BackupLocation, S3Client> clients = new ConcurrentHashMap<>();
  private final String environmentName;

  /** For a worker: keys come from the worker's environment. */
  public S3Clients() {
    this(CredentialResolver.WORKER_ENVIRONMENT);
  }

  /** @param environmentName whose environment the keys come from, for messages (a CLI command's shell) */
  public S3Clients(String environmentName) {
    this.environmentName = environmentName;
  }

  public S3Client forLocation(BackupLocation location) {
    return clients.computeIfAbsent(location, this::create);
  }

  private S3Client create(BackupLocation location) {
    var builder = S3Client.builder()
        .region(Region.of(location.region()))
        .credentialsProvider(credentials(location))
        .httpClientBuilder(ApacheHttpClient.builder().maxConnections(MAX_CONNECTIONS));
    if (location.endpoint() != null) {
      builder.endpointOverride(URI.create(location.endpoint())).forcePathStyle(true);
    }
    return builder.build();
  }

  private AwsCredentialsProvider credentials(BackupLocation location) {
    if (location.accessKeyEnv() != null) {
      String accessKey = System.getenv(location.accessKeyEnv());
      String secretKey = System.getenv(location.secretKeyEnv());
      if (accessKey == null || secretKey == null) {
        throw new IllegalStateException(environmentName + " lacks " + (accessKey == null ? location.accessKeyEnv() : location.secretKeyEnv())
            + ", named by the target's backups.accessKeyEnv/secretKeyEnv");
      }
      return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
    }
    DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
    if (location.endpoint() == null) {
      return chain;
    }
    try {
      chain.resolveCredentials();
      return chain;
    } catch (SdkClientException noCredentials) {
      return AnonymousCredentialsProvider.create();
    }
  }

  @Override
  public void close() {
    clients.values().forEach(S3Client::close);
    clients.clear();
  }
}
