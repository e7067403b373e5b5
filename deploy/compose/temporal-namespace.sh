#!/bin/sh
# One-shot job of docker-compose.yml (image temporalio/admin-tools): waits for the Temporal
# frontend, creates the namespace the worker polls unless it exists, and registers the typed
# search attributes pgdr sets on every run (the UI filters on them). Safe to run again.
set -eu

NAMESPACE=${TEMPORAL_NAMESPACE:-default}
ADDRESS=${TEMPORAL_ADDRESS:-temporal:7233}
t() { temporal "$@" --address "$ADDRESS"; }

attempt=1
until t operator cluster health >/dev/null 2>&1; do
  if [ "$attempt" -ge 60 ]; then
    echo "the Temporal frontend at $ADDRESS is not healthy after $attempt attempts" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 2
done

if ! t operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
  t operator namespace create --namespace "$NAMESPACE" --retention "${NAMESPACE_RETENTION:-2208h}"
fi

# PGDR_SEARCH_ATTRIBUTES: "Name=Type ..." (docker-compose.yml sets it)
for attribute in ${PGDR_SEARCH_ATTRIBUTES:?set PGDR_SEARCH_ATTRIBUTES to the search attributes to register}; do
  name=${attribute%%=*}
  type=${attribute#*=}
  attempt=1
  # a namespace just created takes a few seconds to be known everywhere: retry until listed
  until t operator search-attribute list --namespace "$NAMESPACE" | grep -qw "$name"; do
    if [ "$attempt" -ge 30 ]; then
      echo "search attribute $name ($type) could not be registered in namespace $NAMESPACE" >&2
      exit 1
    fi
    t operator search-attribute create --namespace "$NAMESPACE" --name "$name" --type "$type" || true
    attempt=$((attempt + 1))
    sleep 2
  done
done
echo "namespace $NAMESPACE is ready with pgdr's search attributes"
