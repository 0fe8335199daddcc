package dev.gatehouse.authz;

import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The facts about one request that rules look at; the peer address is parsed at most once, and only if asked. */
final class Evaluation {

  final RequestView request;
  final String path;
  /**
   * The method in upper case, which is what the sidecar forwards (Jetty's client upper-cases it): a rule on {@code
   * DELETE} must see {@code delete} as the upstream will. No copy is made when the method is upper case already.
   */
  final String method;
  final @Nullable Identity identity;
  final @Nullable Caller caller;
  private byte @Nullable [] peer;
  private boolean peerParsed;

  Evaluation(RequestView request, String path, @Nullable Identity identity) {
    this.request = request;
    this.path = path;
    this.method = request.method().toUpperCase(Locale.ROOT);
    this.identity = identity;
    this.caller = identity == null ? null : Caller.of(identity);
  }

  byte @Nullable [] peer() {
    if (!peerParsed) {
      peer = IpBlocks.parse(request.remoteAddress());
      peerParsed = true;
    }
    return peer;
  }
}
