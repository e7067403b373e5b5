/**
 * What backups look like in the store, as both the side that writes them and the sides that read
 * them must agree (docs/backup-format.md): pgdr's manifest and object layout, the column order of
 * its data parts, and the names of a physical backup's files (WAL, base backups).
 */
package io.pgdr.activities.backupformat;
