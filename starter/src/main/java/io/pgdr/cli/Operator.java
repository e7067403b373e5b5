package io.pgdr.cli;

/** Who is at the keyboard: the OS user, recorded on approvals given from this CLI. */
final class Operator {

  private Operator() {}

  static String name() {
    return System.getProperty("user.name");
  }
}
