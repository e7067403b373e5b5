package io.pgdr.target;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a database's backups live in S3 or an S3-compatible store (MinIO, the lab's S3 server).
 * Holds names of credentials, never keys: with neither {@code accessKeyEnv} nor
 * {@code secretKeyEnv} the worker uses the AWS SDK's default chain (environment, profile, IRSA).
 *
 * @param bucket the bucket (runbook 000: {@code fabrica-agentes-backups})
 * @param prefix the key prefix under which backups live (runbook 000: {@code db/}); normalised to
 *     end with {@code /}, or empty for the bucket's root
 * @param endpoint an endpoint override for S3-compatible stores (path-style addressing is then
 *     used); null for AWS S3
 * @param region the signing region; {@code us-east-1} when absent
 * @param accessKeyEnv name of the worker's environment variable holding the access key id
 * @param secretKeyEnv name of the worker's environment variable holding the secret key
 * @param keysSecret a Secret in the target's namespace holding the same two keys under the same
 *     names, for the pods pgdr runs there to restore into a volume the worker cannot reach; null
 *     when the keys are named nowhere (the pod then uses the SDK's chain, e.g. IRSA) or no such
 *     pod runs
 */
public record BackupLocation(String bucket, String prefix, String endpoint, String region, String accessKeyEnv, String secretKeyEnv,
    String keysSecret) {

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  public BackupLocation {
    prefix = prefix == null || prefix.isBlank() || prefix.equals("/") ? "" : (prefix.endsWith("/") ? prefix : prefix + "/");
    region = region == null || region.isBlank() ? "us-east-1" : region;
  }

  /** {@code s3://bucket/prefix}, as people write it. */
  public String url() {
    return "s3://" + bucket + "/" + prefix;
  }

  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      problems.add("backups.bucket: " + Echo.quoted(bucket) + " is not an S3 bucket name (3-63 lowercase letters, digits, '.', '-')");
    }
    if (prefix.startsWith("/")) {
      problems.add("backups.prefix: " + Echo.quoted(prefix) + " must not start with '/' (write db/, not /db/)");
    }
    if (endpoint != null) {
      try {
        URI uri = URI.create(endpoint);
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
          problems.add("backups.endpoint: " + Echo.quoted(endpoint) + " is not an http(s) URL");
        }
      } catch (IllegalArgumentException e) {
        problems.add("backups.endpoint: " + Echo.quoted(endpoint) + " is not a URL");
      }
    }
    if ((accessKeyEnv == null) != (secretKeyEnv == null)) {
      problems.add("backups: set both accessKeyEnv and secretKeyEnv, or neither (the AWS default credential chain)");
    }
    if (keysSecret != null) {
      DatabaseTarget.requireDnsLabel(problems, "backups.keysSecret", keysSecret);
      if (accessKeyEnv == null) {
        problems.add("backups.keysSecret: also name the keys it holds with accessKeyEnv and secretKeyEnv");
      }
    }
    return problems;
  }
}
