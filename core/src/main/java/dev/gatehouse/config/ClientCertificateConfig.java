package dev.gatehouse.config;

/**
 * {@code authentication.client-certificate}: the caller is named by the verified TLS client certificate, by its
 * SPIFFE ID when it has one, otherwise by its subject common name.
 *
 * <p>The section has no settings of its own ({@code client-certificate: {}}); which CAs are trusted is the TLS
 * layer's business: {@code tls.client-ca} in the sidecar, the container's trust store for the filter and Spring Boot.
 */
public record ClientCertificateConfig() {}
