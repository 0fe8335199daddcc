package dev.gatehouse.sidecar;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.OAuth2ClientConfig;
import dev.gatehouse.internal.LogText;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * A client of one OAuth2 token endpoint, for the client credentials grant (RFC 6749 section 4.4): a form-encoded POST
 * of {@code grant_type=client_credentials}, {@code scope} (space-separated) and the audience parameter ({@code
 * audience} or {@code resource}), the client authenticated with HTTP Basic ({@code client_secret_basic}, id and secret
 * form-encoded first as section 2.3.1 asks) or with a {@code private_key_jwt} assertion (RFC 7523: {@code iss} and
 * {@code sub} the client ID, {@code aud} the token URI, a fresh {@code jti}, 60 s lifetime; RS256 for an RSA key,
 * ES256 for P-256), and the JSON answer read for {@code access_token}, {@code token_type} (Bearer) and {@code
 * expires_in}.
 *
 * <p>An own small client rather than Nimbus's {@code oauth2-oidc-sdk}: the grant is one POST and four fields, the JOSE
 * part (the assertion) is Nimbus JOSE+JWT, which the engine already uses, and the JDK's {@link HttpClient} sends
 * asynchronously, so a fetch never holds an event loop or a pooled thread while it waits; the SDK's {@code
 * HTTPRequest.send()} blocks on {@code HttpURLConnection} and would add a second JSON and HTTP stack to the jar.
 *
 * <p>The secret file is read at each fetch, so a rotated secret is used from the next fetch on. Neither the secret,
 * the assertion nor the token appears in any message this class makes: errors name the status and the OAuth2 {@code
 * error} code only.
 */
final class TokenEndpoint {

  /** How long a token request may take, connect included. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static final Duration ASSERTION_LIFETIME = Duration.ofSeconds(60);
  private static final int MAX_RESPONSE_BYTES = 64 * 1024;
  private static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  private final OAuth2ClientConfig config;
  private final HttpClient client;
  private final Optional<JWSSigner> assertionSigner;
  private final Optional<JWSAlgorithm> assertionAlgorithm;

  /** A token endpoint's answer. {@link #toString()} never shows the token. */
  record TokenResponse(String accessToken, Optional<Duration> expiresIn, Optional<Instant> exp) {

    /** When the token expires: {@code expires_in} from now, else the JWT's {@code exp}, else unknown. */
    Optional<Instant> expiresAt(Instant now) {
      return expiresIn.map(now::plus).or(() -> exp);
    }

    @Override
    public String toString() {
      return "TokenResponse[expires_in=" + expiresIn.map(Duration::toSeconds).orElse(null) + "]";
    }
  }

  /** A failure whose message is one line fit for a log: status and error code, never a secret or a token. */
  static final class TokenEndpointException extends RuntimeException {
    TokenEndpointException(String message) {
      super(message, null, false, false);
    }
  }

  TokenEndpoint(OAuth2ClientConfig config, HttpClient client) {
    this.config = config;
    this.client = client;
    if (config.clientAssertionKey().isPresent()) {
      PrivateKey key = readPrivateKey(config.clientAssertionKey().get());
      try {
        if (key instanceof RSAPrivateKey rsa) {
          assertionSigner = Optional.of(new RSASSASigner(rsa));
          assertionAlgorithm = Optional.of(JWSAlgorithm.RS256);
        } else if (key instanceof ECPrivateKey ec) {
          assertionSigner = Optional.of(new ECDSASigner(ec));
          assertionAlgorithm = Optional.of(JWSAlgorithm.ES256);
        } else {
          throw new ConfigException("client-assertion-key", "expected an RSA or EC P-256 private key");
        }
      } catch (JOSEException e) {
        throw new ConfigException("client-assertion-key", "cannot sign with this key: " + e.getMessage());
      }
    } else {
      assertionSigner = Optional.empty();
      assertionAlgorithm = Optional.empty();
      // Read once at start too, so that a missing or empty secret refuses to start instead of failing every call.
      readSecret(config.clientSecretFile().orElseThrow());
    }
  }

  /** A client for token requests: no redirects (a token request is never re-sent elsewhere), the JDK's trust. */
  static HttpClient newHttpClient() {
    return HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();
  }

  /** Starts one token request. */
  CompletableFuture<TokenResponse> fetch() {
    HttpRequest request;
    try {
      request = request();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(this::parse);
  }

  private HttpRequest request() {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    if (!config.scopes().isEmpty()) {
      form.put("scope", String.join(" ", config.scopes()));
    }
    config.audience().ifPresent(audience -> form.put(config.audienceParameter().name().toLowerCase(Locale.ROOT), audience));
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(config.tokenUri())
            .timeout(TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json");
    if (assertionSigner.isPresent()) {
      form.put("client_id", config.clientId());
      form.put("client_assertion_type", JWT_BEARER);
      form.put("client_assertion", assertion());
    } else {
      String secret = readSecret(config.clientSecretFile().orElseThrow());
      String credentials = encode(config.clientId()) + ":" + encode(secret);
      builder.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    String body = form.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
    return builder.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
  }

  private String assertion() {
    Instant now = Instant.now();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(config.clientId())
            .subject(config.clientId())
            .audience(config.tokenUri().toString())
            .jwtID(UUID.randomUUID().toString())
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ASSERTION_LIFETIME)))
            .build();
    JWSHeader.Builder header = new JWSHeader.Builder(assertionAlgorithm.orElseThrow()).type(JOSEObjectType.JWT);
    config.clientAssertionKeyId().ifPresent(header::keyID);
    SignedJWT jwt = new SignedJWT(header.build(), claims);
    try {
      jwt.sign(assertionSigner.orElseThrow());
    } catch (JOSEException e) {
      throw new TokenEndpointException("cannot sign the client assertion: " + e.getMessage());
    }
    return jwt.serialize();
  }

  private TokenResponse parse(HttpResponse<byte[]> response) {
    byte[] body = response.body();
    if (body.length > MAX_RESPONSE_BYTES) {
      throw new TokenEndpointException("token endpoint answered " + response.statusCode() + " with over " + MAX_RESPONSE_BYTES + " bytes");
    }
    Map<String, Object> json;
    try {
      json = JSONObjectUtils.parse(new String(body, StandardCharsets.UTF_8));
    } catch (java.text.ParseException e) {
      throw new TokenEndpointException("token endpoint answered " + response.statusCode() + " without a JSON object");
    }
    if (response.statusCode() != 200) {
      Object error = json.get("error");
      // Only the error code: a description could echo what was sent.
      String code = error instanceof String text && text.chars().allMatch(c -> c >= 0x20 && c < 0x7f) && text.length() <= 64 ? text : "no error code";
      throw new TokenEndpointException("token endpoint answered " + response.statusCode() + ": " + code);
    }
    Object token = json.get("access_token");
    if (!(token instanceof String accessToken) || accessToken.isEmpty()) {
      throw new TokenEndpointException("token endpoint answered 200 without an access_token");
    }
    if (!accessToken.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new TokenEndpointException("token endpoint answered 200 with an access_token that cannot be sent in a header");
    }
    Object type = json.get("token_type");
    if (type != null && !(type instanceof String text && text.equalsIgnoreCase("bearer"))) {
      throw new TokenEndpointException("token endpoint answered 200 with token_type " + LogText.oneLine(String.valueOf(type)) + ", not Bearer");
    }
    Optional<Duration> expiresIn = Optional.empty();
    Object lifetime = json.get("expires_in");
    if (lifetime instanceof Number number && number.longValue() >= 0) {
      expiresIn = Optional.of(Duration.ofSeconds(number.longValue()));
    } else if (lifetime instanceof String text && text.matches("\\d{1,10}")) {
      // Some providers (older Entra ID endpoints) send it as a string.
      expiresIn = Optional.of(Duration.ofSeconds(Long.parseLong(text)));
    }
    return new TokenResponse(accessToken, expiresIn, jwtExpiry(accessToken));
  }

  /** The {@code exp} of a token that is a JWT, read without checking it: only to know when to stop using it. */
  private static Optional<Instant> jwtExpiry(String token) {
    if (token.chars().filter(c -> c == '.').count() != 2) {
      return Optional.empty();
    }
    try {
      Date exp = SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime();
      return Optional.ofNullable(exp).map(Date::toInstant);
    } catch (java.text.ParseException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Why a fetch failed, in one line fit for a log and an error body. */
  static String reason(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof TokenEndpointException || cause instanceof ConfigException) {
      return LogText.oneLine(cause.getMessage());
    }
    if (cause instanceof HttpTimeoutException) {
      return "token endpoint timed out";
    }
    if (cause instanceof java.net.ConnectException) {
      return "cannot connect to the token endpoint";
    }
    if (cause instanceof javax.net.ssl.SSLException) {
      return "TLS with the token endpoint failed";
    }
    if (cause instanceof IOException) {
      return "token request failed: " + cause.getClass().getSimpleName();
    }
    return "token request failed: " + cause.getClass().getSimpleName();
  }

  private static String readSecret(Path file) {
    try {
      // Secrets mounted from Kubernetes or written by echo often end in a newline that is not part of the secret.
      String secret = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (secret.isEmpty()) {
        throw new ConfigException("client-secret-file", file + " is empty");
      }
      return secret;
    } catch (IOException e) {
      throw new ConfigException("client-secret-file", "cannot read " + file + ": " + e.getClass().getSimpleName());
    }
  }

  private static PrivateKey readPrivateKey(Path file) {
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ConfigException("client-assertion-key", "cannot read " + file + ": " + e.getClass().getSimpleName());
    }
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new ConfigException("client-assertion-key", file + ": expected an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY)");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("client-assertion-key", file + ": the PEM is not valid base64");
    }
    for (String algorithm : new String[] {"RSA", "EC"}) {
      try {
        PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        if (key instanceof ECPrivateKey ec && ec.getParams().getCurve().getField().getFieldSize() != 256) {
          throw new ConfigException("client-assertion-key", file + ": an EC key must be P-256 (ES256)");
        }
        return key;
      } catch (java.security.GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new ConfigException("client-assertion-key", file + ": neither an RSA nor an EC private key");
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }
}
