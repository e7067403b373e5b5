package io.pgdr.ports;

/**
 * A PostgreSQL pod as Kubernetes reports it.
 *
 * @param host where its server is reached (the target's endpoint override, else the pod IP)
 * @param fenced pgdr has fenced this pod: it must never come back as a writable primary
 */
public record PodState(String name, String phase, boolean ready, int restarts, String host, int port, boolean fenced) {}
