/**
 * Gatehouse in Micrometer: {@link dev.gatehouse.micrometer.GatehouseMeterBinder}, shared by the sidecar and
 * the Spring Boot starter. Needs {@code io.micrometer:micrometer-core}, an optional dependency of core.
 */
@NullMarked
package dev.gatehouse.micrometer;

import org.jspecify.annotations.NullMarked;
