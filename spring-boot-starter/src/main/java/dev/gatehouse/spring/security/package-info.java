/**
 * Gatehouse's identity as Spring Security's: the types an application meets when Spring Security is on its classpath.
 *
 * <p>For every request Gatehouse lets in with an identity, the starter puts a {@link
 * dev.gatehouse.spring.security.GatehouseAuthentication} in the {@code SecurityContext} (made by {@link
 * dev.gatehouse.spring.security.GatehouseAuthenticationConverter}), so {@code @PreAuthorize}, {@code
 * @AuthenticationPrincipal}, {@code authorizeHttpRequests} and the servlet API behind Spring Security's request wrapper
 * all see the caller Gatehouse saw. {@link dev.gatehouse.spring.security.GatehouseRefusals} answers Spring Security's
 * own refusals as Gatehouse answers its: 401 with the engine's challenges, 403, never a login redirect.
 */
@NullMarked
package dev.gatehouse.spring.security;

import org.jspecify.annotations.NullMarked;
