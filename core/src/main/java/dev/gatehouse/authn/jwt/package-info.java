/**
 * JWT bearer authentication: {@link dev.gatehouse.authn.jwt.JwtAuthenticator} accepts tokens of configured issuers.
 *
 * <p>A tour: {@code TokenLocator} finds the token in a header or cookie; {@code VerifiedTokenCache} remembers tokens
 * that verified (keyed by their SHA-256 digest, expiring with them); {@code IssuerVerifier} holds one issuer's Nimbus
 * processor, whose key selector ({@code IssuerKeySelector}) only ever takes keys from the configured JWKS or secret,
 * never from the token; {@code JwksSources} builds the cached, refreshed, rate-limited, outage-tolerant key source;
 * {@code EdDsaVerifier} checks Ed25519 signatures with the JDK; {@code Claims} turns claims into plain Java values.
 * Nimbus stays inside this package: no Nimbus type appears in a public signature.
 */
@NullMarked
package dev.gatehouse.authn.jwt;

import org.jspecify.annotations.NullMarked;
