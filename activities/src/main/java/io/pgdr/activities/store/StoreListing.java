package io.pgdr.activities.store;

import io.pgdr.ports.FailureTypes;
import io.pgdr.target.BackupLocation;
import io.temporal.failure.ApplicationFailure;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Every object under a backup location's prefix, by key, from one paginated ListObjectsV2: the
 * sizes and times the catalog checks pgdr backups against, without downloading anything.
 */
public record StoreListing(BackupLocation location, SortedMap<String, S3Object> objects) {

  public StoreListing {
    objects = Collections.unmodifiableSortedMap(new TreeMap<>(objects));
  }

  /**
   * @throws ApplicationFailure {@link FailureTypes#LOCATION_MISSING} when the bucket is missing or
   *     the prefix holds nothing; the other types of {@link StoreFailures#toFailure}
   */
  public static StoreListing of(S3Client s3, BackupLocation location) {
    SortedMap<String, S3Object> objects = new TreeMap<>();
    try {
      ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(location.bucket()).prefix(location.prefix()).build();
      for (S3Object object : s3.listObjectsV2Paginator(request).contents()) {
        objects.put(object.key(), object);
      }
    } catch (SdkException e) {
      throw StoreFailures.toFailure(location, "listing " + location.url(), e);
    }
    if (objects.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "no objects under " + location.url() + " at " + StoreFailures.store(location) + ": check backups.prefix",
          FailureTypes.LOCATION_MISSING);
    }
    return new StoreListing(location, objects);
  }

  /** The objects whose keys start with {@code keyPrefix}. */
  public Map<String, S3Object> under(String keyPrefix) {
    // every key starting with keyPrefix sorts between keyPrefix and keyPrefix + U+FFFF
    return objects.subMap(keyPrefix, keyPrefix + Character.MAX_VALUE);
  }
}
