package io.pgdr.activities.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.ports.FailureTypes;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Store errors the lab's S3 server cannot produce (it checks no credentials), as the AWS SDK
 * raises them: each becomes a failure that says what to fix and whether a retry can help.
 */
class StoreFailuresTest {

  private static final BackupLocation AWS = new BackupLocation("fabrica-agentes-backups", "db/", null, "eu-west-1",
      "BACKUP_ACCESS_KEY", "BACKUP_SECRET_KEY", null);

  @Test
  void accessDeniedIsNotRetriedAndNamesTheCredentials() {
    ApplicationFailure failure = StoreFailures.toFailure(AWS, "listing " + AWS.url(), s3Error(403, "AccessDenied", "Access Denied"));

    assertEquals(FailureTypes.STORE_ACCESS_DENIED, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertEquals("listing s3://fabrica-agentes-backups/db/: AWS S3 (region eu-west-1) denied access (AccessDenied: Access Denied):"
        + " check the credentials the worker uses (BACKUP_ACCESS_KEY/BACKUP_SECRET_KEY) and their permissions on bucket"
        + " fabrica-agentes-backups", failure.getOriginalMessage());
  }

  @Test
  void serverErrorIsRetried() {
    ApplicationFailure failure = StoreFailures.toFailure(AWS, "listing", s3Error(503, "SlowDown", "Please reduce your request rate"));

    assertEquals(FailureTypes.STORE_UNREACHABLE, failure.getType());
    assertFalse(failure.isNonRetryable());
  }

  @Test
  void missingCredentialVariablesStopBeforeAnyRequest() {
    BackupLocation location = new BackupLocation("fabrica-agentes-backups", "db/", "http://127.0.0.1:9",
        null, "PGDR_TEST_NO_SUCH_ACCESS_KEY", "PGDR_TEST_NO_SUCH_SECRET_KEY", null);

    ApplicationFailure failure;
    try (S3Clients clients = new S3Clients()) {
      failure = assertThrows(ApplicationFailure.class, () -> clients.forLocation(location));
    }

    assertEquals(FailureTypes.CREDENTIALS_UNAVAILABLE, failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains("PGDR_TEST_NO_SUCH_ACCESS_KEY"), failure.getOriginalMessage());
  }

  private static S3Exception s3Error(int status, String code, String message) {
    return (S3Exception) S3Exception.builder().statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
  }
}
