package io.pgdr.activities.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Stores what is written to it as one S3 object, computing its size and SHA-256 on the way. Holds
 * at most one upload chunk in memory: an object that outgrows it becomes a multipart upload, one
 * part per chunk, so a table part of any size streams from {@code COPY} to the store without a
 * temporary file. Nothing is visible under the key until {@link #close()} completes; {@link #abort()}
 * discards the parts already sent.
 */
public final class UploadStream extends OutputStream {

  /** S3 wants at least 5 MiB per multipart part (but the last); 8 MiB keeps the part count low. */
  static final int CHUNK_BYTES = 8 * 1024 * 1024;

  private final S3Client s3;
  private final String bucket;
  private final String key;
  private final MessageDigest sha256;
  private final byte[] chunk;
  private final List<CompletedPart> parts = new ArrayList<>();
  private int filled;
  private long size;
  private String uploadId;
  private boolean closed;

  public UploadStream(S3Client s3, String bucket, String key) {
    this(s3, bucket, key, CHUNK_BYTES);
  }

  UploadStream(S3Client s3, String bucket, String key, int chunkBytes) {
    this.s3 = s3;
    this.bucket = bucket;
    this.key = key;
    this.chunk = new byte[chunkBytes];
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("upload of " + key + " stopped");
    }
    sha256.update(bytes, offset, length);
    size += length;
    while (length > 0) {
      int n = Math.min(length, chunk.length - filled);
      System.arraycopy(bytes, offset, chunk, filled, n);
      filled += n;
      offset += n;
      length -= n;
      if (filled == chunk.length) {
        sendChunk();
      }
    }
  }

  private void sendChunk() {
    if (uploadId == null) {
      uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
    }
    int number = parts.size() + 1;
    String etag = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number),
        RequestBody.fromInputStream(new ByteArrayInputStream(chunk, 0, filled), filled)).eTag();
    parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
    filled = 0;
  }

  /** Completes the object: after this it is in the store under its key. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (uploadId == null) {
      s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromInputStream(new ByteArrayInputStream(chunk, 0, filled), filled));
      return;
    }
    if (filled > 0) {
      sendChunk();
    }
    s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
        .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
  }

  /** Gives up: parts already sent are discarded, nothing appears under the key. */
  public void abort() {
    if (closed) {
      return;
    }
    closed = true;
    if (uploadId != null) {
      try {
        s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
      } catch (RuntimeException e) {
        // the store's lifecycle rules clean up uploads nobody completes
      }
    }
  }

  public String key() {
    return key;
  }

  /** Bytes stored; final after {@link #close()}. */
  public long size() {
    return size;
  }

  /** Hex SHA-256 of the bytes stored; call once, after {@link #close()}. */
  public String sha256() {
    return HexFormat.of().formatHex(sha256.digest());
  }
}
