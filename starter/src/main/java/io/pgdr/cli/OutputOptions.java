package io.pgdr.cli;

import picocli.CommandLine.Option;

/** {@code --output table|json} and {@code -v}, shared by every command. */
public final class OutputOptions {

  public enum Format { table, json }

  @Option(names = {"-o", "--output"}, defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE})")
  Format output = Format.table;

  @Option(names = {"-v", "--verbose"}, description = "log progress and show stack traces on errors")
  boolean verbose;

  public boolean json() {
    return output == Format.json;
  }
}
