package dev.gatehouse.authz;

import dev.gatehouse.Identities;
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
  /** The request principal, whose JWT claims {@code when} conditions read. */
  final @Nullable Identity requestPrincipal;
  final @Nullable Caller caller;
  private byte @Nullable [] address;
  private boolean addressParsed;

  Evaluation(RequestView request, String path, Identities identities) {
    this.request = request;
    this.path = path;
    this.method = request.method().toUpperCase(Locale.ROOT);
    this.requestPrincipal = identities.requestPrincipal().orElse(null);
    this.caller = identities.isAnonymous() ? null : Caller.of(identities);
  }

  /** The direct peer's IP address, for {@code ip-blocks}. */
  byte @Nullable [] address() {
    if (!addressParsed) {
      address = IpBlocks.parse(request.remoteAddress());
      addressParsed = true;
    }
    return address;
  }
}
