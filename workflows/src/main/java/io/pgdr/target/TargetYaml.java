package io.pgdr.target;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.IOException;

/**
 * The target file format: YAML (JSON is YAML too, so the UI's JSON input reads the same way).
 * Parsing text is all this does; callers read the file.
 */
public final class TargetYaml {

  private static final ObjectMapper YAML = new ObjectMapper(
          new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER))
      .registerModule(new JavaTimeModule())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      // a key given twice is an error, not "the last one wins" (nor a creator-property failure)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .setSerializationInclusion(JsonInclude.Include.NON_EMPTY);

  /** A target is a page of YAML; anything bigger is not one, and parsing it would only take time and memory. */
  public static final int MAX_BYTES = 1024 * 1024;

  private TargetYaml() {}

  /**
   * @throws InvalidTargetException naming the first field that does not parse, or every problem
   *     {@link DatabaseTarget#problems()} finds
   */
  public static DatabaseTarget parse(String text, String source) {
    if (text.length() > MAX_BYTES) {
      throw new InvalidTargetException(source + ": " + text.length() + " characters; a target file is at most " + MAX_BYTES
          + " bytes (1 MiB)");
    }
    DatabaseTarget target;
    try {
      target = YAML.readValue(text, DatabaseTarget.class);
    } catch (JsonProcessingException e) {
      throw new InvalidTargetException(YamlErrors.describe(source, text, e));
    } catch (IOException e) {
      throw new InvalidTargetException(source + ": " + e.getMessage());
    }
    if (target == null) {
      throw new InvalidTargetException(source + ": empty target file");
    }
    var problems = target.problems();
    if (!problems.isEmpty()) {
      throw new InvalidTargetException(source + ": " + String.join("; ", problems));
    }
    return target;
  }

  public static String write(DatabaseTarget target) {
    try {
      return YAML.writeValueAsString(target);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write target " + target.name(), e);
    }
  }

  /** A target file that cannot be used, with a message that says what to fix. */
  public static final class InvalidTargetException extends RuntimeException {
    public InvalidTargetException(String message) {
      super(message);
    }
  }
}
