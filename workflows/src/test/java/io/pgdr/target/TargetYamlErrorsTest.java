package io.pgdr.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pgdr.target.TargetYaml.InvalidTargetException;
import org.junit.jupiter.api.Test;

/** A target file that does not parse is told in its own terms: file, line, field, what is expected; never Jackson's. */
class TargetYamlErrorsTest {

  static final String VALID = String.join("\n",
      "name: fabrica-db",
      "namespace: fabrica-agentes",
      "statefulSet: postgresql",
      "service: postgresql",
      "postgres: {database: fabrica_db, credentials: {secret: postgresql-credentials}}",
      "");

  private static String error(String yaml) {
    return assertThrows(InvalidTargetException.class, () -> TargetYaml.parse(yaml, "target.yaml")).getMessage();
  }

  private static void assertNoParserTalk(String message) {
    for (String leak : new String[] {"java.", "Cannot deserialize", "creator property", "ArrayList", "DateTimeParseException", "`"}) {
      assertFalse(message.contains(leak), "leaks '" + leak + "': " + message);
    }
    assertFalse(message.contains("\n"), "one line: " + message);
  }

  @Test
  void theValidExampleParses() {
    assertEquals("fabrica-db", TargetYaml.parse(VALID, "target.yaml").name());
  }

  @Test
  void aNameForAListOfApproversSaysAListIsExpected() {
    String message = error(VALID + "approval:\n  timeout: PT15M\n  approvers: alice\n");
    assertEquals("target.yaml line 8, approval.approvers: expected a list of names, e.g. [alice, bob]", message);
  }

  @Test
  void aDurationTypoNamesTheFieldAndTheFormat() {
    String message = error(VALID + "objectives:\n  rto: PT1X\n");
    assertEquals("target.yaml line 7, objectives.rto: 'PT1X' is not an ISO-8601 duration, e.g. PT1H or PT15M", message);
  }

  @Test
  void aDuplicateKeyIsNamedAsSuch() {
    String message = error(VALID + "name: other-db\n");
    assertNoParserTalk(message);
    assertTrue(message.startsWith("target.yaml line 6, name: "), message);
    assertTrue(message.contains("appears twice"), message);
  }

  @Test
  void anUnclosedBracketSaysWhereAndWhat() {
    String message = error(VALID.replace("name: fabrica-db", "name: [fabrica-db"));
    assertNoParserTalk(message);
    assertTrue(message.startsWith("target.yaml line 1"), message);
    assertTrue(message.contains("'['"), message);
  }

  @Test
  void anUnclosedBracketInAListSaysWhereAndWhat() {
    String message = error(VALID + "deployments: [fabrica-api, fabrica-workers\n");
    assertNoParserTalk(message);
    assertTrue(message.startsWith("target.yaml line "), message);
  }

  @Test
  void anUnknownFieldNamesItAndItsParent() {
    String message = error(VALID + "backups:\n  bucket: b-1\n  prefx: db/\n");
    assertNoParserTalk(message);
    assertTrue(message.startsWith("target.yaml line 8, backups: unknown field 'prefx' (known: "), message);
  }

  @Test
  void aTargetOverOneMebibyteIsRefusedUnparsed() {
    String message = error(VALID + "# " + "x".repeat(TargetYaml.MAX_BYTES) + "\n");
    assertTrue(message.contains("at most 1048576 bytes"), message);
  }

  @Test
  void aNumberThatIsNotOneSaysWhatIsExpected() {
    String message = error(VALID.replace("database: fabrica_db,", "database: fabrica_db, port: five,"));
    assertNoParserTalk(message);
    assertTrue(message.contains("postgres.port") && message.contains("whole number"), message);
  }

  @Test
  void otherMistakesNameTheLineAndNeverTheParser() {
    for (String yaml : new String[] {
        VALID.replace("database: fabrica_db,", "database: fabrica_db, endpoints: {postgresql-0: },"),
        VALID + "deployments: [~]\n",
        VALID.replace("database: fabrica_db,", "database: fabrica_db, port: 99999999999,"),
        VALID + "approval: {approvers: [[a]]}\n",
        VALID + "objectives: PT1H\n",
        "- a\n- b\n",
        VALID + "name2: \"unclosed\n",
        "\t name: x\n"}) {
      String message = error(yaml);
      assertNoParserTalk(message);
      assertTrue(message.matches("target\\.yaml line \\d+[,:] .*"), message);
    }
  }
}
