/**
 * Authentication: the {@link dev.gatehouse.authn.Authenticator} stage and its {@link
 * dev.gatehouse.authn.AuthenticationResult}.
 *
 * <p>Built-in methods live in sub-packages ({@code basic}; later {@code jwt} and {@code x509}) and are ordinary
 * implementations of the same interface, with no special cases in the engine.
 */
@NullMarked
package dev.gatehouse.authn;

import org.jspecify.annotations.NullMarked;
