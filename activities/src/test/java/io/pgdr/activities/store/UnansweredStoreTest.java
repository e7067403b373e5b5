package io.pgdr.activities.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.FailureTypes;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * A store that accepts the connection and never answers fails a listing in bounded time
 * (the client's read timeout, then the SDK's few retries), naming the endpoint and the bucket.
 */
// waits on silent sockets, using no CPU: runs beside the module's other tests
@Execution(ExecutionMode.CONCURRENT)
class UnansweredStoreTest {

  /** Only a guard against a hang; the read timeout is seconds. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(90);

  private final S3Clients clients = new S3Clients();

  @AfterEach
  void close() {
    clients.close();
  }

  @Test
  void aSilentStoreFailsNamingEndpointAndBucket() throws IOException {
    // the backlog accepts connections; nobody ever reads or writes on them
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String endpoint = "http://127.0.0.1:" + silent.getLocalPort();
      // keys from a variable every process has: static keys, so the SDK looks for none off this machine
      BackupLocation location = new BackupLocation(S3Fixture.BUCKET, "db/", endpoint, null, "PATH", "PATH", null);

      ApplicationFailure failure = assertTimeoutPreemptively(HANG_GUARD,
          () -> assertThrows(ApplicationFailure.class, () -> StoreListing.of(clients.forLocation(location), location)));

      assertEquals(FailureTypes.STORE_UNREACHABLE, failure.getType());
      assertFalse(failure.isNonRetryable());
      assertTrue(failure.getOriginalMessage().startsWith("listing s3://" + S3Fixture.BUCKET + "/db/: cannot reach " + endpoint),
          failure.getOriginalMessage());
    }
  }
}
