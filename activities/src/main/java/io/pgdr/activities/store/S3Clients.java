package io.pgdr.activities.store;

import io.pgdr.activities.credentials.CredentialResolver;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3 client per backup location, kept for the worker's life (clients pool connections). An
 * endpoint override means an S3-compatible store (MinIO, the lab's server): path-style addressing,
 * so a bucket name needs no DNS entry. Keys come from the environment variables the location
 * names, else the SDK's default chain; an S3-compatible store with no credentials anywhere is
 * asked anonymously. Every wait is bounded: a store that does not answer fails the call in seconds
 * (connect, read), a call that drags in minutes (attempt, call).
 */
public final class S3Clients implements AutoCloseable {

  /** Parallel part transfers need more than the SDK's default pool of 50 only on big machines; 64 is plenty. */
  private static final int MAX_CONNECTIONS = 64;
  /** A store that does not accept the connection is down, not slow. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
  /**
   * How long the store may stay silent on a read: S3 answers in well under a second, and sends
   * whitespace while it completes a long multipart upload, so a longer silence is a dead store.
   */
  static final Duration READ_TIMEOUT = Duration.ofSeconds(10);
  /**
   * One attempt of a call, sending included: an 8 MB part at 70 KB/s. Reading an object's stream
   * is not part of the call (the SDK hands the stream back first), so a restore is never cut.
   */
  static final Duration ATTEMPT_TIMEOUT = Duration.ofMinutes(2);
  /** The SDK's few retries of one call, with their backoff. */
  static final Duration CALL_TIMEOUT = Duration.ofMinutes(5);

  private final Map<BackupLocation, S3Client> clients = new ConcurrentHashMap<>();
  private final String environmentName;
  private final ExecutionInterceptor observer;

  /** For a worker: keys come from the worker's environment. */
  public S3Clients() {
    this(CredentialResolver.WORKER_ENVIRONMENT);
  }

  /** @param environmentName whose environment the keys come from, for messages (a CLI command's shell) */
  public S3Clients(String environmentName) {
    this(environmentName, null);
  }

  /** @param observer sees every call the clients make: tests count what a check downloads */
  public S3Clients(String environmentName, ExecutionInterceptor observer) {
    this.environmentName = environmentName;
    this.observer = observer;
  }

  /**
   * @throws ApplicationFailure {@link FailureTypes#CREDENTIALS_UNAVAILABLE}, not retryable, when the
   *     environment lacks the variables the location names
   */
  public S3Client forLocation(BackupLocation location) {
    try {
      return clients.computeIfAbsent(location, this::create);
    } catch (IllegalStateException e) {
      throw StoreFailures.credentialsUnavailable(e);
    }
  }

  private S3Client create(BackupLocation location) {
    var builder = S3Client.builder()
        .region(Region.of(location.region()))
        .credentialsProvider(credentials(location))
        .httpClientBuilder(ApacheHttpClient.builder()
            .maxConnections(MAX_CONNECTIONS)
            .connectionTimeout(CONNECT_TIMEOUT)
            .socketTimeout(READ_TIMEOUT))
        .overrideConfiguration(config -> {
          config.apiCallAttemptTimeout(ATTEMPT_TIMEOUT).apiCallTimeout(CALL_TIMEOUT);
          if (observer != null) {
            config.addExecutionInterceptor(observer);
          }
        });
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
