package io.pgdr.run;

/**
 * What a human sends to answer an approval: who, why, and whether they accept a data loss above
 * the RPO. The workflow stamps the time it received it.
 */
public record ApprovalDecision(String by, String reason, boolean overrideRpo) {}
