/**
 * TLS for the sidecar's listener: {@link dev.gatehouse.tls.ServerTls} turns the {@code tls} configuration into a JDK
 * {@link javax.net.ssl.SSLContext} whose key and client-CA material reload when the files change; {@link
 * dev.gatehouse.config.TlsProfile} holds the Mozilla-based protocol and cipher suite profiles; {@link
 * dev.gatehouse.tls.TlsStatus} reports what is served; {@link dev.gatehouse.tls.SelfSignedCertificate} makes throwaway
 * material for local trials.
 *
 * <p>Bouncy Castle parses PEM and generates certificates here, and never appears in a public signature.
 */
@NullMarked
package dev.gatehouse.tls;

import org.jspecify.annotations.NullMarked;
