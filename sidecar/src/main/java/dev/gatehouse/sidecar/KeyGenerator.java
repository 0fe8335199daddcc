package dev.gatehouse.sidecar;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;

/**
 * {@code gatehouse-sidecar keygen --out DIR}: a fresh Ed25519 key pair for the sidecar's assertion. Writes {@value
 * #PRIVATE_KEY} (PKCS#8 PEM, mode 0600 from the moment it exists: for the sidecar's {@code assertion.signing-key}),
 * {@value #PUBLIC_KEY} (PEM) and {@value #JWKS} (the public key with its RFC 7638 thumbprint as {@code kid}: for the
 * application's {@code verification-key}, and to merge with the next key during a rotation). Never overwrites a file.
 * Exit status 0 written, 1 the files could not be written, 2 bad command line.
 */
final class KeyGenerator {

  static final String PRIVATE_KEY = "assertion.key";
  static final String PUBLIC_KEY = "assertion.pub";
  static final String JWKS = "assertion.jwks";

  static final String HELP =
      """
      Usage: java -jar gatehouse-sidecar.jar keygen --out DIR

      Writes a new Ed25519 key pair for the sidecar's assertion (docs/zero-trust.md): DIR/assertion.key (private, mode
      0600: the sidecar's assertion.signing-key), DIR/assertion.pub and DIR/assertion.jwks (public: the application's
      verification-key; the JWKS names the key by its thumbprint, for rotation). Existing files are never overwritten.

      Exit status: 0 written, 1 the files could not be written, 2 bad command line.
      """;

  private KeyGenerator() {}

  static int run(String[] args, PrintStream out, PrintStream err) {
    Path directory = null;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          out.print(HELP);
          return 0;
        }
        case "--out" -> {
          if (i + 1 >= args.length || directory != null) {
            return usage(err, "--out needs one directory");
          }
          try {
            directory = Path.of(args[++i]);
          } catch (InvalidPathException e) {
            return usage(err, "--out: not a valid path");
          }
        }
        default -> {
          return usage(err, "unknown argument " + args[i]);
        }
      }
    }
    if (directory == null) {
      return usage(err, "--out DIR is required");
    }
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      Files.createDirectories(directory);
      for (String name : new String[] {PRIVATE_KEY, PUBLIC_KEY, JWKS}) {
        if (Files.exists(directory.resolve(name))) {
          throw new FileAlreadyExistsException(directory.resolve(name).toString());
        }
      }
      // Created with its mode, so there is no moment at which the key is readable by others.
      Path privateKey = Files.createFile(directory.resolve(PRIVATE_KEY), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (Writer writer = Files.newBufferedWriter(privateKey, StandardCharsets.US_ASCII)) {
        writer.write(pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
      }
      Files.writeString(directory.resolve(PUBLIC_KEY), pem("PUBLIC KEY", pair.getPublic().getEncoded()), StandardCharsets.US_ASCII);
      byte[] spki = pair.getPublic().getEncoded();
      // The last 32 bytes of an Ed25519 SubjectPublicKeyInfo are the key itself (RFC 8410).
      OctetKeyPair jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(Arrays.copyOfRange(spki, spki.length - 32, spki.length))).keyUse(KeyUse.SIGNATURE).keyIDFromThumbprint().build();
      Files.writeString(directory.resolve(JWKS), new JWKSet(jwk).toString(/* publicKeysOnly= */ true) + "\n", StandardCharsets.UTF_8);
      out.println("gatehouse keygen: wrote " + privateKey + " (mode 0600), " + directory.resolve(PUBLIC_KEY) + " and " + directory.resolve(JWKS) + "; kid " + jwk.getKeyID());
      return 0;
    } catch (FileAlreadyExistsException e) {
      err.println("gatehouse keygen: " + e.getFile() + " exists; not overwriting a key");
      return 1;
    } catch (IOException | UnsupportedOperationException e) {
      err.println("gatehouse keygen: cannot write to " + directory + ": " + e);
      return 1;
    } catch (GeneralSecurityException | JOSEException e) {
      err.println("gatehouse keygen: cannot generate an Ed25519 key: " + e.getMessage());
      return 1;
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  private static int usage(PrintStream err, String problem) {
    err.println("gatehouse keygen: " + problem + " (see keygen --help)");
    return 2;
  }
}
