package dev.gatehouse.authz;

import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import org.jspecify.annotations.Nullable;

/** The facts about one request that rules look at; the peer address is parsed at most once, and only if asked. */
final class Evaluation {

  final RequestView request;
  final String path;
  final @Nullable Identity identity;
  final @Nullable Caller caller;
  private byte @Nullable [] peer;
  private boolean peerParsed;

  Evaluation(RequestView request, String path, @Nullable Identity identity) {
    this.request = request;
    this.path = path;
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
