package dev.gatehouse.authn.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The keys a token may be checked with: only the issuer's configured JWKS (for RSA, EC and EdDSA) or its configured
 * shared secret (for HMAC), and only for an algorithm the issuer allows. The token's own {@code jwk}, {@code jku},
 * {@code x5u} and {@code x5c} headers are never consulted: nothing in here reads them. A public key can never become an
 * HMAC secret, since HMAC keys come from the secret alone.
 */
final class IssuerKeySelector implements JWSKeySelector<SecurityContext> {

  private final Set<JWSAlgorithm> edAlgorithms;
  private final Set<JWSAlgorithm> hmacAlgorithms;
  private final @Nullable JWKSource<SecurityContext> jwks;
  private final @Nullable JWSVerificationKeySelector<SecurityContext> rsaAndEc;
  private final List<Key> hmacKeys;

  IssuerKeySelector(Set<JWSAlgorithm> allowed, @Nullable JWKSource<SecurityContext> jwks, byte @Nullable [] hmacSecret) {
    this.jwks = jwks;
    Set<JWSAlgorithm> rsaEc = new java.util.HashSet<>();
    Set<JWSAlgorithm> ed = new java.util.HashSet<>();
    Set<JWSAlgorithm> hmac = new java.util.HashSet<>();
    for (JWSAlgorithm algorithm : allowed) {
      if (JWSAlgorithm.Family.HMAC_SHA.contains(algorithm)) {
        hmac.add(algorithm);
      } else if (JWSAlgorithm.Family.ED.contains(algorithm)) {
        ed.add(algorithm);
      } else {
        rsaEc.add(algorithm);
      }
    }
    this.edAlgorithms = Set.copyOf(ed);
    this.hmacAlgorithms = hmacSecret == null ? Set.of() : Set.copyOf(hmac);
    this.rsaAndEc = jwks == null || rsaEc.isEmpty() ? null : new JWSVerificationKeySelector<>(rsaEc, jwks);
    this.hmacKeys = hmacSecret == null ? List.of() : List.of(new SecretKeySpec(hmacSecret, "HmacSHA256"));
  }

  @Override
  public List<? extends Key> selectJWSKeys(JWSHeader header, @Nullable SecurityContext context) throws KeySourceException {
    JWSAlgorithm algorithm = header.getAlgorithm();
    if (hmacAlgorithms.contains(algorithm)) {
      return hmacKeys;
    }
    if (edAlgorithms.contains(algorithm) && jwks != null) {
      JWKMatcher matcher = JWKMatcher.forJWSHeader(header);
      if (matcher == null) {
        return List.of();
      }
      List<Key> keys = new ArrayList<>(1);
      for (JWK jwk : jwks.get(new JWKSelector(matcher), context)) {
        if (jwk instanceof OctetKeyPair okp) {
          try {
            keys.add(EdDsaVerifier.publicKey(okp));
          } catch (GeneralSecurityException e) {
            // An unusable key in the set is skipped, as Nimbus's own selector does.
          }
        }
      }
      return keys;
    }
    if (rsaAndEc != null) {
      return rsaAndEc.selectJWSKeys(header, context);
    }
    return List.of();
  }
}
