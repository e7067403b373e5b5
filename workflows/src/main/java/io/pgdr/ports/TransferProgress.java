package io.pgdr.ports;

/**
 * How far a long backup or restore is, as its activity heartbeats it: the CLI draws a progress
 * bar from it and a retried attempt reads where the last one was.
 *
 * @param bytesDone backup bytes transferred and applied so far (parts already done count fully)
 * @param bytesTotal the backup's size, or -1 when not known yet
 * @param partsDone parts (schema, table parts, index/constraint items) finished
 * @param partsTotal all parts, or -1 when not known yet
 * @param bytesPerSecond rate over this attempt
 * @param etaSeconds estimated seconds left, or -1
 * @param current what is being worked on, in words
 */
public record TransferProgress(
    long bytesDone, long bytesTotal, int partsDone, int partsTotal, double bytesPerSecond, long etaSeconds, String current) {}
