/**
 * The object store backups live in, S3 or S3-compatible: clients per location with bounded
 * timeouts, listing, streamed uploads, and store errors sorted into failures. Nothing here knows
 * what a backup is; backup, restore and point-in-time recovery build on it.
 */
package io.pgdr.activities.store;
