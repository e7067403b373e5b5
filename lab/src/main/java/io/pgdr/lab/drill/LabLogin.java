package io.pgdr.lab.drill;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pgdr.lab.KubernetesFixture;
import io.pgdr.lab.Lab;
import io.pgdr.lab.PostgresPair;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Properties;

/** How a drill's instruments log in to the lab's database: the plain lab's pair, or the Patroni lab's superuser. */
public record LabLogin(String user, String password, String database) {

  public static LabLogin of(PostgresPair pair) {
    return new LabLogin(pair.superuser(), pair.password(), pair.database());
  }

  /** The lab's superuser as its Kubernetes Secret holds it: the Patroni lab has no pair to ask. */
  public static LabLogin fromSecret(Lab lab) {
    try (KubernetesClient kubernetes = lab.kubernetesClient()) {
      Map<String, String> data = kubernetes.secrets().inNamespace(KubernetesFixture.NAMESPACE).withName(KubernetesFixture.SECRET).get()
          .getData();
      return new LabLogin(decode(data.get("username")), decode(data.get("password")), PostgresPair.DATABASE);
    }
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  /** The JDBC URL of the database at {@code address} (host:port). */
  String url(String address) {
    return "jdbc:postgresql://" + address + "/" + database;
  }

  /** The connection properties, short timeouts, named for the instrument. */
  Properties properties(String applicationName, String connectTimeoutSeconds) {
    Properties login = new Properties();
    login.setProperty("user", user);
    login.setProperty("password", password);
    login.setProperty("connectTimeout", connectTimeoutSeconds);
    login.setProperty("ApplicationName", applicationName);
    return login;
  }
}
