package io.pgdr.run;

/** Who stops a run before its first destructive step, and why. */
public record AbortRequest(String by, String reason) {}
