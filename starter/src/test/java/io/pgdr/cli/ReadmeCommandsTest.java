package io.pgdr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Every command the README shows, in its examples and its CLI synopsis, is one pgdr accepts: it
 * parses with exactly those options, and its help (printed through the CLI's own writers, exit
 * code 0) documents each option the README uses. A README that drifts from the CLI fails here.
 */
class ReadmeCommandsTest {

  private static final Pattern EXAMPLE = Pattern.compile("\\./pgdr((?: [^\\s&|)#\"]+| \"[^\"]*\")+)");
  private static final Map<String, String> PLACEHOLDERS = Map.ofEntries(Map.entry("FILE", "target.yaml"),
      Map.entry("TIME", "2026-11-22T03:12:00Z"), Map.entry("KEY", "db/latest.dump"), Map.entry("NAME", "alice"), Map.entry("TEXT", "why"),
      Map.entry("RUN", "recovery-fabrica-agentes.postgresql"), Map.entry("PORT", "0"), Map.entry("\"$PGDR_TARGET\"", "target.yaml"),
      Map.entry("POD", "postgresql-1"), Map.entry("SECONDS", "300"), Map.entry("PERCENT", "50"), Map.entry("DIR", "/tmp"),
      Map.entry("SIZE", "20"), Map.entry("MODE", "restore-rehearsal"), Map.entry("N", "2"));

  static Stream<List<String>> readmeCommands() throws IOException {
    List<List<String>> commands = new ArrayList<>();
    boolean inCode = false;
    for (String line : Files.readAllLines(PgdrProcess.ROOT.resolve("README.md"))) {
      if (line.startsWith("```")) {
        inCode = !inCode;
        continue;
      }
      if (!inCode) {
        continue;
      }
      Matcher example = EXAMPLE.matcher(line);
      while (example.find()) {
        commands.add(words(example.group(1).trim()));
      }
      if (line.startsWith("pgdr ")) {
        commands.addAll(synopsis(line.split(" {2,}")[0].substring("pgdr ".length())));
      }
    }
    return commands.stream();
  }

  /** A synopsis line: {@code a|b} and {@code a | b} are alternatives, every {@code [--opt VALUE]} is taken. */
  private static List<List<String>> synopsis(String text) {
    List<List<String>> commands = new ArrayList<>();
    commands.add(new ArrayList<>());
    for (String token : words(text.replace("[", "").replace("]", "").replace(" | ", "|"))) {
      if (token.contains("|") && !token.startsWith("-")) {
        List<List<String>> expanded = new ArrayList<>();
        for (List<String> command : commands) {
          for (String choice : token.split("\\|")) {
            List<String> one = new ArrayList<>(command);
            one.add(choice);
            expanded.add(one);
          }
        }
        commands = expanded;
      } else {
        commands.forEach(command -> command.add(token));
      }
    }
    return commands;
  }

  /** Words as the shell splits them: a double-quoted string is one word, without its quotes. */
  private static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    Matcher word = Pattern.compile("\"[^\"]*\"|\\S+").matcher(text);
    while (word.find()) {
      String w = word.group();
      String placeholder = PLACEHOLDERS.get(w);
      words.add(placeholder != null ? placeholder : w.startsWith("\"") ? w.substring(1, w.length() - 1) : w);
    }
    return words;
  }

  @Test
  void theReadmeShowsTheCommandsOfEveryScenario() throws IOException {
    List<String> shown = readmeCommands().map(c -> String.join(" ", c)).toList();
    for (String expected : List.of("lab drill --yes", "failover promote-replica", "restore --target", "backup run", "backup list",
        "list", "status", "approve", "reject", "worker", "lab up", "lab down", "completion", "incident start", "wait-recovery",
        "drill run --target", "drill run --targets", "drill schedule create", "drill schedule describe", "history", "check", "rejoin --target")) {
      assertTrue(shown.stream().anyMatch(c -> c.startsWith(expected)), "the README shows " + expected + ": " + shown);
    }
  }

  @ParameterizedTest
  @MethodSource("readmeCommands")
  void everyReadmeCommandParsesAndItsHelpDocumentsItsOptions(List<String> command) {
    ParseResult parsed = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false)
        .parseArgs(command.toArray(String[]::new));
    List<String> path = new ArrayList<>();
    for (ParseResult sub = parsed.subcommand(); sub != null; sub = sub.subcommand()) {
      path.add(sub.commandSpec().name());
    }
    path.add("--help");

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.commandLine(new PrintWriter(out), new PrintWriter(err), false).execute(path.toArray(String[]::new));

    assertEquals(0, exit, err.toString());
    String help = out.toString();
    assertTrue(help.contains("Usage: pgdr " + String.join(" ", path.subList(0, path.size() - 1))), help);
    command.stream().filter(word -> word.startsWith("--")).forEach(option ->
        assertTrue(help.contains(option), "the help of " + path + " documents " + option + ":\n" + help));
  }
}
