package dev.gatehouse.authn.assertion;

import dev.gatehouse.Identities;

/**
 * Signs the assertion an allowed request carries to the application: {@code X-Gatehouse-Assertion}, a compact JWS
 * that says who the engine established (the request principal, else the peer, as {@code sub}; the peer as {@code
 * peer}; {@code groups}; {@code amr}) about which request ({@code htm}, {@code htu}), for a few seconds ({@code iat},
 * {@code exp}), once ({@code jti}). Given to {@link dev.gatehouse.Gatehouse.Builder#assertionSigner}; {@link
 * SidecarAssertion#signer} makes the one the {@code assertion} section describes.
 *
 * <p>Implementations must be thread-safe and must not block: the engine calls this on every allowed request.
 */
@FunctionalInterface
public interface AssertionSigner {

  /**
   * Signs an assertion about one allowed request.
   *
   * @param identities who the engine established; anonymous when a rule let an anonymous request through, in which
   *     case the assertion has no {@code sub}
   * @param method the request method exactly as received, the {@code htm} claim
   * @param target the path and query the request is forwarded with, exactly as sent upstream: the canonical path, then
   *     {@code ?} and the raw query when there is one; the {@code htu} claim
   * @return the compact JWS, which must be a safe header value ({@link dev.gatehouse.http.IdentityHeaders#isSafeValue})
   * @throws RuntimeException if it cannot sign; the engine then refuses the request, never forwards it unsigned
   */
  String sign(Identities identities, String method, String target);
}
