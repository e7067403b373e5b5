/**
 * What backups look like in the store, as both the side that writes them and the sides that read
 * them must agree (docs/backup-format.md): pgdr's manifest and object layout, which tables its data
 * parts copy and in which column order, and the names of a physical backup's files (WAL, base
 * backups).
 */
package io.pgdr.activities.backupformat;
