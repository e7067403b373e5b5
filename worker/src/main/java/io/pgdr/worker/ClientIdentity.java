package io.pgdr.worker;

import java.lang.management.ManagementFactory;
import java.security.cert.X509Certificate;

/**
 * Who this process is to the Temporal service: the subject of its client certificate when the
 * connection has one (what Temporal's authorizer checks with mTLS), otherwise the OS user at this
 * host. Temporal records it on every signal and update in the run's history; the CLI also puts it
 * in the decisions it sends, where a person reads it beside the approver named.
 *
 * @param name {@code CN=alice,OU=sre} or {@code root@db-admin-1}
 */
public record ClientIdentity(String name) {

  /** @param clientCertificate the certificate the connection presents, or null without TLS */
  public static ClientIdentity of(X509Certificate clientCertificate) {
    if (clientCertificate != null) {
      return new ClientIdentity(clientCertificate.getSubjectX500Principal().getName());
    }
    return new ClientIdentity(System.getProperty("user.name") + "@" + host());
  }

  /** The identity the client gives Temporal: the name and the process, as Temporal's own default ({@code pid@host}) does. */
  public String temporalIdentity() {
    return name + " pid " + ProcessHandle.current().pid();
  }

  private static String host() {
    // "pid@host", the JVM's name for itself, as Temporal's default identity reads it
    String jvm = ManagementFactory.getRuntimeMXBean().getName();
    int at = jvm.indexOf('@');
    return at < 0 ? "unknown-host" : jvm.substring(at + 1);
  }
}
