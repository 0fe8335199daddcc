package dev.gatehouse.authn.jwt;

import dev.gatehouse.Identity;
import java.util.Map;

/**
 * What a verified token establishes: the identity, the issuer that vouched for it, and the claim headers for the
 * application.
 */
record Verified(Identity identity, IssuerVerifier issuer, Map<String, String> claimHeaders) {}
