package io.pgdr.ports;

/**
 * A base backup written into a data directory and checked against its {@code backup_manifest}.
 *
 * @param files files written
 * @param bytes bytes written
 * @param checkedFiles files whose checksum matched the manifest's
 * @param seconds how long the restore took (0 when an earlier attempt had finished it)
 */
public record RestoredBase(long files, long bytes, long checkedFiles, double seconds) {}
