package io.pgdr.activities.store;

import io.pgdr.ports.FailureTypes;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Sorts S3 errors by what a retry could change, in words that say what to fix. A missing bucket,
 * refused credentials or another client error will not pass with time: non-retryable, typed with
 * {@link FailureTypes}. An unreachable store or a server error may: retryable.
 */
public final class StoreFailures {

  private StoreFailures() {}

  /** Where the store is, for messages: the endpoint override, else AWS S3 in the location's region. */
  public static String store(BackupLocation location) {
    return location.endpoint() != null ? location.endpoint() : "AWS S3 (region " + location.region() + ")";
  }

  /**
   * @param action what pgdr was doing, e.g. "listing s3://b/db/"
   */
  public static ApplicationFailure toFailure(BackupLocation location, String action, SdkException e) {
    if (e instanceof NoSuchBucketException) {
      return ApplicationFailure.newNonRetryableFailureWithCause(
          "bucket " + location.bucket() + " does not exist at " + store(location) + ": check backups.bucket", FailureTypes.LOCATION_MISSING, e);
    }
    if (e instanceof S3Exception s3) {
      String detail = s3.awsErrorDetails() == null ? s3.getMessage()
          : s3.awsErrorDetails().errorCode() + ": " + s3.awsErrorDetails().errorMessage();
      int status = s3.statusCode();
      if (status == 403) {
        return ApplicationFailure.newNonRetryableFailureWithCause(
            action + ": " + store(location) + " denied access (" + detail + "): check the credentials the worker uses"
                + (location.accessKeyEnv() != null ? " (" + location.accessKeyEnv() + "/" + location.secretKeyEnv() + ")" : " (AWS default chain)")
                + " and their permissions on bucket " + location.bucket(),
            FailureTypes.STORE_ACCESS_DENIED, e);
      }
      if (status == 301) {
        return ApplicationFailure.newNonRetryableFailureWithCause(
            action + ": bucket " + location.bucket() + " is not in region " + location.region() + " (" + detail + "): set backups.region",
            FailureTypes.STORE_REJECTED, e);
      }
      if (status >= 500) {
        return ApplicationFailure.newFailureWithCause(
            action + ": " + store(location) + " answered HTTP " + status + " (" + detail + ")", FailureTypes.STORE_UNREACHABLE, e);
      }
      return ApplicationFailure.newNonRetryableFailureWithCause(
          action + ": " + store(location) + " rejected the request with HTTP " + status + " (" + detail + ")", FailureTypes.STORE_REJECTED, e);
    }
    if (e instanceof SdkClientException) {
      return ApplicationFailure.newFailureWithCause(
          action + ": cannot reach " + store(location) + " (" + e.getMessage() + "): check backups.endpoint and the network", FailureTypes.STORE_UNREACHABLE, e);
    }
    return ApplicationFailure.newFailureWithCause(action + ": " + e.getMessage(), FailureTypes.STORE_UNREACHABLE, e);
  }

  /** S3Clients could not build a client: the environment variables the location names are not set. */
  static ApplicationFailure credentialsUnavailable(IllegalStateException e) {
    return ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), FailureTypes.CREDENTIALS_UNAVAILABLE, e);
  }
}
