/**
 * HTTP Basic authentication against htpasswd files: {@link dev.gatehouse.authn.basic.BasicAuthenticator}.
 *
 * <p>Supports every format Apache's {@code htpasswd} writes except plain text and DES crypt, which are refused:
 * bcrypt, {@code $apr1$} MD5, SHA-256/512 crypt and {@code {SHA}}/{@code {SSHA}}.
 */
@NullMarked
package dev.gatehouse.authn.basic;

import org.jspecify.annotations.NullMarked;
