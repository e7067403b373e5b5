package io.pgdr.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The identity a pgdr client gives Temporal, and the CLI records as a decision's sender. */
class ClientIdentityTest {

  @TempDir Path dir;

  @Test
  void withoutACertificateItIsTheOsUserAtThisHost() {
    ClientIdentity identity = ClientIdentity.of(null);

    assertTrue(identity.name().startsWith(System.getProperty("user.name") + "@"), identity.name());
    assertEquals(identity.name() + " pid " + ProcessHandle.current().pid(), identity.temporalIdentity());
  }

  @Test
  void withAClientCertificateItIsTheCertificatesSubject() throws Exception {
    ClientIdentity identity = ClientIdentity.of(certificate("CN=alice,OU=sre,O=fabrica"));

    assertEquals("CN=alice,OU=sre,O=fabrica", identity.name());
  }

  @Test
  void aClientOfAConnectionSaysWhoItIs() {
    TemporalConnection connection = new TemporalConnection("127.0.0.1:7233", "default");

    assertEquals(ClientIdentity.of(null), connection.identity());
  }

  /** A self-signed certificate made by the JDK's keytool, as an operator's client certificate would be issued. */
  private X509Certificate certificate(String subject) throws Exception {
    Path store = dir.resolve("client.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "client", "-keyalg", "EC", "-dname", subject, "-validity", "1",
        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
        .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes());
    assertEquals(0, keytool.waitFor(), output);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    return (X509Certificate) keys.getCertificate("client");
  }
}
