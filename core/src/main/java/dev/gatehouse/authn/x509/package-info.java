/**
 * Client certificate authentication: {@link dev.gatehouse.authn.x509.ClientCertificateAuthenticator} names the caller
 * by the verified TLS client certificate, by its {@link dev.gatehouse.authn.x509.SpiffeId} when it has one, otherwise
 * by its subject common name.
 *
 * <p>Chain validation is the TLS layer's job (the sidecar's {@link dev.gatehouse.tls.ServerTls}, or the servlet
 * container); this package reads the chain the adapter reports through {@link
 * dev.gatehouse.RequestView#clientCertificates()}.
 */
@NullMarked
package dev.gatehouse.authn.x509;

import org.jspecify.annotations.NullMarked;
