/**
 * The Gatehouse engine's entry API.
 *
 * <p>An adapter wraps its request in a {@link dev.gatehouse.RequestView}, asks {@link
 * dev.gatehouse.Gatehouse#decide(RequestView)}, and acts on the {@link dev.gatehouse.Decision}: forward or continue
 * with the {@link dev.gatehouse.Identity}, or write the refusal as it is. Every security decision is made here; the
 * servlet filter, the Spring Boot starter and the sidecar only translate.
 */
@NullMarked
package dev.gatehouse;

import org.jspecify.annotations.NullMarked;
