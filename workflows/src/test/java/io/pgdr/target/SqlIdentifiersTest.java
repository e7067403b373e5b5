package io.pgdr.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Names users write in a target reach SQL quoted, in the plain form or in SQL's own double-quoted form. */
class SqlIdentifiersTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "stories|\"stories\"",
      "public.stories|\"public\".\"stories\"",
      "VendasNorte.eventos|\"VendasNorte\".\"eventos\"",
      "\"VendasNorte\".eventos|\"VendasNorte\".\"eventos\"",
      "\"Vendas Norte\".\"Eventos 2025\"|\"Vendas Norte\".\"Eventos 2025\"",
      "\"a.b\".c|\"a.b\".\"c\"",
      "\"say \"\"hi\"\"\"|\"say \"\"hi\"\"\"",
      "\"select\"|\"select\""})
  void aNameIsAcceptedAndQuotedPartByPart(String written, String quoted) {
    assertTrue(SqlIdentifiers.isQualifiedName(written), written);
    assertEquals(quoted, SqlIdentifiers.quote(written));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a.b.c", "a.", ".a", "a..b", "\"unclosed", "\"\"", "\"a\"b", "a b", "1abc", "a;drop table x",
      "\"new\nline\"", "\"a\".\"b\".\"c\"", "\"a\"\"", "x\"y\""})
  void whatIsNotANameIsRefused(String written) {
    assertFalse(SqlIdentifiers.isQualifiedName(written), written);
    assertThrows(IllegalArgumentException.class, () -> SqlIdentifiers.quote(written));
  }

  @ParameterizedTest
  @ValueSource(ints = {63, 64})
  void aQuotedPartIsAtMostSixtyThreeCharacters(int length) {
    assertEquals(length <= 63, SqlIdentifiers.isQualifiedName("\"" + "x".repeat(length) + "\""));
  }
}
