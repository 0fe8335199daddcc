/**
 * The sidecar's signed assertion, both ends of it: what the sidecar signs into every request it forwards ({@link
 * dev.gatehouse.authn.assertion.AssertionSigner}) and what the application's filter verifies ({@code
 * SidecarAssertionAuthenticator}, behind {@link dev.gatehouse.authn.Authenticator#sidecarAssertion}).
 *
 * <p>A tour: {@link dev.gatehouse.authn.assertion.SidecarAssertion} is the package's one public door; {@code
 * AssertionKeys} reads the PEM, JWKS and secret files; {@code Ed25519Jws} signs and verifies EdDSA with Bouncy Castle's RFC 8032
 * code (Nimbus would need Google Tink; the JDK's costs twenty times as much), ES256 and HS256 are Nimbus's; {@code JwsAssertionSigner} writes the compact JWS with a
 * header encoded once; {@code ReplayCache} remembers every {@code jti} until its assertion expires. Nimbus and Caffeine
 * stay inside: no type of theirs appears in a public signature.
 */
@NullMarked
package dev.gatehouse.authn.assertion;

import org.jspecify.annotations.NullMarked;
