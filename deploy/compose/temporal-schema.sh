#!/bin/sh
# One-shot job of docker-compose.yml (image temporalio/admin-tools): creates Temporal's two
# databases on first start and brings both schemas to this server version, then exits. Safe to run
# again on every `up`: an existing database or versioning table is kept, update-schema applies only
# what is missing. The password comes from SQL_PASSWORD in the environment, never the command line.
set -eu

SQL="temporal-sql-tool --plugin postgres12 --ep ${SQL_HOST} -p ${SQL_PORT} -u ${SQL_USER}"
SCHEMA_DIR=/etc/temporal/schema/postgresql/v12

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) versions="$SCHEMA_DIR/temporal/versioned" ;;
    *) versions="$SCHEMA_DIR/visibility/versioned" ;;
  esac
  # both fail when done before; any other failure shows again, with its reason, in update-schema
  $SQL --db "$db" create 2>/dev/null || echo "database $db not created: it exists"
  $SQL --db "$db" setup-schema -v 0.0 2>/dev/null || echo "database $db not initialised: it has its versioning tables"
  $SQL --db "$db" update-schema -d "$versions"
done
echo "Temporal schemas are up to date"
