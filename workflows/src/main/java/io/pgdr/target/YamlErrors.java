package io.pgdr.target;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.time.Duration;
import java.io.StringReader;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Turns Jackson's parse errors into what the person who wrote the target file needs: the file, the
 * line and the field (all from Jackson's exception), and what the field expects; never parser types.
 */
final class YamlErrors {

  /** Fields whose generic "a list" would not say enough. */
  private static final Map<String, String> EXPECTED = Map.of(
      "approval.approvers", "a list of names, e.g. [alice, bob]",
      "deployments", "a list of Deployment names, e.g. [fabrica-api, fabrica-workers]",
      "verification.integrityTables", "a list of table names, e.g. [stories, public.orders]",
      "postgres.endpoints", "a mapping of pod: host:port, e.g. {postgresql-0: 127.0.0.1:15432}");

  private YamlErrors() {}

  /** e.g. {@code target.yaml line 7, approval.approvers: expected a list of names, e.g. [alice, bob]} */
  static String describe(String source, String text, JsonProcessingException e) {
    if (e instanceof UnrecognizedPropertyException unknown) {
      List<JsonMappingException.Reference> path = unknown.getPath();
      String parent = pathOf(path.subList(0, path.size() - 1));
      String known = unknown.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
      return source + lineOfKey(text, path) + (parent.isEmpty() ? "" : ", " + parent) + ": unknown field "
          + Echo.quoted(unknown.getPropertyName()) + " (known: " + known + ")";
    }
    if (e instanceof JsonMappingException mapping && mapping.getCause() instanceof JsonParseException syntax) {
      return describeSyntax(source, pathOf(mapping.getPath()).replaceAll("\\[\\d+]$", ""), syntax);
    }
    if (e instanceof JsonMappingException mapping) {
      String field = pathOf(mapping.getPath());
      return source + lineOf(e) + (field.isEmpty() ? "" : ", " + field) + ": " + whatIsWrong(mapping, field);
    }
    return describeSyntax(source, fieldOf(e), e);
  }

  private static String describeSyntax(String source, String field, JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException yaml) {
      // where the unclosed construct began says more than the end of the file where it was noticed
      Mark at = yaml.getContextMark() != null ? yaml.getContextMark() : yaml.getProblemMark();
      return source + (at == null ? "" : " line " + (at.getLine() + 1)) + (field.isEmpty() ? "" : ", " + field)
          + ": not valid YAML: " + yaml.getProblem() + (yaml.getContext() == null ? "" : " " + yaml.getContext())
          + (unclosed(yaml) ? " (an unclosed '[', '{' or quote?)" : "");
    }
    String prefix = source + lineOf(e) + (field.isEmpty() ? "" : ", " + field) + ": ";
    if (e.getOriginalMessage().startsWith("Duplicate field")) {
      return prefix + "this field appears twice; keep one";
    }
    return prefix + "not valid YAML: " + firstLine(e.getOriginalMessage());
  }

  /** A flow collection or quoted text that runs to the end: most often a bracket or quote never closed. */
  private static boolean unclosed(MarkedYAMLException yaml) {
    String context = yaml.getContext() == null ? "" : yaml.getContext();
    return context.contains("flow") || context.contains("quoted");
  }

  /**
   * The line of an unknown key. Jackson reports a record's unknown fields only once the whole
   * mapping is read, so its location is past it: the YAML node tree (same text) still has the key's.
   */
  private static String lineOfKey(String text, List<JsonMappingException.Reference> path) {
    try {
      Node node = new Yaml().compose(new StringReader(text));
      Node key = null;
      for (JsonMappingException.Reference reference : path) {
        key = null;
        if (node instanceof MappingNode mapping && reference.getFieldName() != null) {
          for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(reference.getFieldName())) {
              key = scalar;
              node = tuple.getValueNode();
            }
          }
        } else if (node instanceof SequenceNode sequence && reference.getIndex() >= 0 && reference.getIndex() < sequence.getValue().size()) {
          node = sequence.getValue().get(reference.getIndex());
          key = node;
        }
        if (key == null) {
          return "";
        }
      }
      return key == null ? "" : " line " + (key.getStartMark().getLine() + 1);
    } catch (RuntimeException e) {
      return ""; // the line is a nicety; the field's path is still named
    }
  }

  /**
   * A binding error happens with the parser on the offending value: its token's line (an exception's
   * own location may be where the parser had read ahead to). A syntax error carries its own.
   */
  private static String lineOf(JsonProcessingException e) {
    JsonLocation at = e instanceof JsonMappingException && e.getProcessor() instanceof JsonParser parser
        ? parser.currentTokenLocation() : e.getLocation();
    return at != null && at.getLineNr() > 0 ? " line " + at.getLineNr() : "";
  }

  private static String whatIsWrong(JsonMappingException e, String field) {
    if (e instanceof InvalidFormatException format) {
      return Echo.quoted(format.getValue()) + " is not " + expected(format.getTargetType(), field);
    }
    if (e instanceof MismatchedInputException mismatch) {
      JsonToken got = e.getProcessor() instanceof JsonParser parser ? parser.currentToken() : null;
      String expected = "expected " + expected(mismatch.getTargetType(), field);
      if (got == JsonToken.START_ARRAY) {
        return expected + ", got a list ('[' starts a list in YAML: quote the value if the bracket is meant)";
      }
      if (got == JsonToken.START_OBJECT) {
        return expected + ", got a mapping ('{' or 'key: value' starts one in YAML)";
      }
      return expected;
    }
    // a record refused what it was given: say where, not which Java type
    if (e instanceof ValueInstantiationException && e.getCause() instanceof NullPointerException) {
      return "an entry in it has no value (nothing or ~ after it): give it one or leave it out";
    }
    return "not a valid value" + (e instanceof ValueInstantiationException ? "" : ": " + firstLine(e.getOriginalMessage()));
  }

  private static String expected(Class<?> type, String field) {
    String known = EXPECTED.get(field.replaceAll("\\[\\d+]$", ""));
    if (known != null && !field.endsWith("]")) {
      return known;
    }
    if (type == null) {
      return "a different kind of value";
    }
    if (Duration.class.isAssignableFrom(type)) {
      return "an ISO-8601 duration, e.g. PT1H or PT15M";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "a list, e.g. [a, b]";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "a mapping of name: value";
    }
    if (type == String.class) {
      return "a single value (text)";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "a whole number, e.g. 5432";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type.isRecord()) {
      return "a mapping of its fields (see docs/target.md)";
    }
    return "a " + type.getSimpleName();
  }

  /** {@code approval.approvers}, {@code deployments[1]}: Jackson's path, written as people write fields. */
  private static String pathOf(List<JsonMappingException.Reference> path) {
    StringBuilder shown = new StringBuilder();
    for (JsonMappingException.Reference reference : path) {
      if (reference.getFieldName() != null) {
        shown.append(shown.length() == 0 ? "" : ".").append(reference.getFieldName());
      } else if (reference.getIndex() >= 0) {
        shown.append('[').append(reference.getIndex()).append(']');
      }
    }
    return shown.toString();
  }

  /** For errors before data binding: the field the parser was in, from its context. */
  private static String fieldOf(JsonProcessingException e) {
    if (!(e.getProcessor() instanceof JsonParser parser) || parser.getParsingContext() == null) {
      return "";
    }
    StringBuilder shown = new StringBuilder();
    for (JsonPointer pointer = parser.getParsingContext().pathAsPointer(); pointer != null && !pointer.matches(); pointer = pointer.tail()) {
      if (pointer.mayMatchElement()) {
        shown.append('[').append(pointer.getMatchingIndex()).append(']');
      } else {
        shown.append(shown.length() == 0 ? "" : ".").append(pointer.getMatchingProperty());
      }
    }
    return shown.toString();
  }

  private static String firstLine(String message) {
    String line = message == null ? "" : message.lines().findFirst().orElse("");
    return line.length() > 160 ? line.substring(0, 160) + "…" : line;
  }
}
