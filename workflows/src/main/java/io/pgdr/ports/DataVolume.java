package io.pgdr.ports;

/**
 * A pod's data volume as pgdr writes into it: the claim, the PersistentVolume bound to it, and the
 * directory where the worker reaches its files (a hostPath or local volume on the worker's node;
 * in the lab, the server's data directory).
 */
public record DataVolume(String claim, String volume, String path) {}
