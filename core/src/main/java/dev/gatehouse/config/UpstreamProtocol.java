package dev.gatehouse.config;

/** {@code upstream-protocol}: how the sidecar speaks to its upstream. */
public enum UpstreamProtocol {
  /** HTTP/1.1 over a pool of keep-alive connections: what most apps serve. */
  HTTP1,
  /** HTTP/2 with prior knowledge over cleartext (h2c), one multiplexed connection: what gRPC servers serve. */
  H2C
}
