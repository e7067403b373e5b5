package io.pgdr.activities.rejoin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** primary_conninfo read as libpq reads it, changed, and written back so that both the configuration file and libpq read the same values. */
class ConninfoTest {

  private static final String SECRET = "it's a \\ 'secret' with spaces";

  @Test
  void quotedAndBareValuesAreReadAsLibpqReadsThem() {
    Conninfo parsed = Conninfo.parse("  user=repl password='it\\'s a \\\\ \\'secret\\' with spaces'  host = 10.0.0.7 port=5432"
        + " sslmode=require application_name=a\\ b dbname=''");

    assertEquals("repl", parsed.get("user"));
    assertEquals(SECRET, parsed.get("password"));
    assertEquals("10.0.0.7", parsed.get("host"));
    assertEquals("5432", parsed.get("port"));
    assertEquals("require", parsed.get("sslmode"));
    assertEquals("a b", parsed.get("application_name"));
    assertEquals("", parsed.get("dbname"));
  }

  @Test
  void whatIsWrittenIsReadBackTheSame() {
    Conninfo written = Conninfo.empty().with("user", "o'brien").with("password", SECRET).with("sslmode", "verify-full");

    Conninfo read = Conninfo.parse(written.text());

    assertEquals("o'brien", read.get("user"));
    assertEquals(SECRET, read.get("password"));
    assertEquals("verify-full", read.get("sslmode"));
    assertEquals("user='o\\'brien' password='it\\'s a \\\\ \\'secret\\' with spaces' sslmode='verify-full'", written.text());
  }

  @Test
  void pointingAtTheNewPrimaryReplacesTheAddressAndNamesTheStandbyKeepingTheRest() {
    Conninfo old = Conninfo.parse("user=postgres password=pw channel_binding=prefer host=127.0.0.1 hostaddr=127.0.0.1 port=40001"
        + " sslmode=prefer application_name=walreceiver target_session_attrs=any");

    Conninfo pointed = old.pointedAt("10.1.2.3", 5433, "postgresql-0");

    assertEquals("user='postgres' password='pw' channel_binding='prefer' host='10.1.2.3' port='5433' sslmode='prefer'"
        + " application_name='postgresql-0' target_session_attrs='any'", pointed.text());
    assertNull(pointed.get("hostaddr"), "hostaddr would win over the new host");
  }

  @Test
  void aSettingLineOfTheConfigurationFileCarriesTheConninfoThroughBothQuotings() {
    Conninfo conninfo = Conninfo.empty().with("user", "repl").with("password", SECRET).pointedAt("db", 5432, "postgresql-1");

    String line = ConfigLines.setting("primary_conninfo", conninfo.text());
    Optional<String> read = ConfigLines.value("# Do not edit\nwork_mem = '8MB'\n" + line + "\n", "primary_conninfo");

    assertEquals(SECRET, Conninfo.parse(read.orElseThrow()).get("password"));
    assertEquals("postgresql-1", Conninfo.parse(read.orElseThrow()).get("application_name"));
  }

  @Test
  void neitherItsTextNorItsFailuresShowAValue() {
    Conninfo conninfo = Conninfo.parse("user=repl password=hunter2secret");
    assertFalse(conninfo.toString().contains("hunter2secret"), conninfo.toString());

    IllegalArgumentException unterminated = assertThrows(IllegalArgumentException.class,
        () -> Conninfo.parse("user=repl password='hunter2secret"));
    assertFalse(unterminated.getMessage().contains("hunter2secret"), unterminated.getMessage());
    IllegalArgumentException noEquals = assertThrows(IllegalArgumentException.class, () -> Conninfo.parse("hunter2secret"));
    assertFalse(noEquals.getMessage().contains("hunter2secret"), noEquals.getMessage());
  }

  @Test
  void aConnectionUriIsRefusedRatherThanMisread() {
    assertThrows(IllegalArgumentException.class, () -> Conninfo.parse("postgresql://repl:pw@10.0.0.7:5432/postgres"));
  }
}
