/**
 * Public only because a library loads it by name ({@link java.util.ServiceLoader}); not API, and may change in any
 * release.
 */
package dev.gatehouse.sidecar.internal;
