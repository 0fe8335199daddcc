package dev.gatehouse.authz;

import dev.gatehouse.Identities;
import dev.gatehouse.Identity;
import dev.gatehouse.RequestView;
import org.jspecify.annotations.Nullable;

/** The facts about one request that rules look at; the peer address is parsed at most once, and only if asked. */
final class Evaluation {

  final RequestView request;
  final String path;
  /**
   * The method exactly as received: method names are case-sensitive (RFC 9110 section 9.1), and one that is neither
   * registered nor named by a rule never gets this far ({@link PolicyEngine#acceptsMethod}).
   */
  final String method;
  /** HEAD is answered by the GET handler in every framework, so rules naming GET cover it. */
  final boolean head;
  /** The request principal, whose JWT claims {@code when} conditions read. */
  final @Nullable Identity requestPrincipal;
  final @Nullable Caller caller;
  private byte @Nullable [] address;
  private boolean addressParsed;

  Evaluation(RequestView request, String path, Identities identities) {
    this.request = request;
    this.path = path;
    this.method = request.method();
    this.head = method.equals("HEAD");
    this.requestPrincipal = identities.requestPrincipal().orElse(null);
    this.caller = identities.isAnonymous() ? null : Caller.of(identities);
  }

  /**
   * The path without its trailing slash, which most frameworks route to the same handler as the path itself ({@code
   * /admin/} as {@code /admin}); {@code null} for the root and for a path without one.
   */
  @Nullable String pathWithoutTrailingSlash() {
    int length = path.length();
    return length > 1 && path.charAt(length - 1) == '/' ? path.substring(0, length - 1) : null;
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
