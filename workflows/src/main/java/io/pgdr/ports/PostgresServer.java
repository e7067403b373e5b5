package io.pgdr.ports;

import io.pgdr.target.SecretRef;

/**
 * One pod's PostgreSQL server as an activity sees it: where to connect and where the credentials
 * are. Holds a reference to the credentials, never the password.
 */
public record PostgresServer(String pod, String host, int port, String database, String namespace, SecretRef credentials) {

  public String address() {
    return host + ":" + port;
  }
}
