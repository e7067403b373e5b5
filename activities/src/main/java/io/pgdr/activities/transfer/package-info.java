/**
 * Moving a backup's parts on a few threads at once, each with its own database session, while the
 * activity's thread heartbeats their progress: what taking a backup and restoring one share.
 */
package io.pgdr.activities.transfer;
