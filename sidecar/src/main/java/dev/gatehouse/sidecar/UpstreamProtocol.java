package dev.gatehouse.sidecar;

/** What the sidecar speaks to its upstream. */
enum UpstreamProtocol {
  /** HTTP/1.1 with keep-alive: any app. */
  HTTP1,
  /**
   * HTTP/2 over cleartext with prior knowledge (RFC 9113 section 3.3): gRPC servers, which need HTTP/2 end to end for
   * trailers. Not yet a configuration key; see {@code docs/sidecar.md}.
   */
  H2C
}
