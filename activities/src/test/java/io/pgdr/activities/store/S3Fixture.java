package io.pgdr.activities.store;

import io.pgdr.lab.RequiredComponent;
import io.pgdr.lab.S3Store;
import io.pgdr.target.BackupLocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for backup tests: the lab's {@link S3Store} (an S3Mock process),
 * one bucket, a fresh prefix per test, and pgdr's own {@link S3Clients} to reach it.
 */
public final class S3Fixture implements AutoCloseable {

  public static final String BUCKET = "fabrica-agentes-backups";

  private final S3Store store;
  private final S3Clients clients = new S3Clients();
  private final AtomicInteger prefixes = new AtomicInteger();

  private S3Fixture(S3Store store) {
    this.store = store;
  }

  /** Fails on CI, skips elsewhere, when S3Mock's jar is not in the local Maven repository. */
  public static S3Fixture start(Path dir) {
    RequiredComponent.require("S3Mock", S3Store.present(), S3Store.installHint());
    S3Store store = S3Store.start(dir);
    store.createBucket(BUCKET);
    return new S3Fixture(store);
  }

  public S3Store store() {
    return store;
  }

  public S3Clients clients() {
    return clients;
  }

  /** A location under a prefix no other test of this fixture uses: {@code test-<n>/db/}. */
  public BackupLocation freshLocation() {
    return location(BUCKET, "test-" + prefixes.incrementAndGet() + "/db/");
  }

  public BackupLocation location(String bucket, String prefix) {
    return new BackupLocation(bucket, prefix, store.endpoint(), null, null, null, null);
  }

  public S3Client client() {
    return clients.forLocation(location(BUCKET, ""));
  }

  public void put(String key, byte[] content) {
    client().putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(content));
  }

  public void put(String key, String content) {
    put(key, content.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    clients.close();
    store.close();
  }
}
