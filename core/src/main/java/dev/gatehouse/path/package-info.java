/**
 * The one canonical form of a request path: what authorization rules match and what the sidecar forwards.
 *
 * <p>See {@link dev.gatehouse.path.PathCanonicalizer}.
 */
@NullMarked
package dev.gatehouse.path;

import org.jspecify.annotations.NullMarked;
