/**
 * What the engine reports about itself, for metrics and health, without depending on any metrics library.
 *
 * <p>A {@link dev.gatehouse.metrics.GatehouseListener} registered with {@link
 * dev.gatehouse.Gatehouse.Builder#listener} hears about every decision as it is made; {@link
 * dev.gatehouse.Gatehouse#sources()} reads, at any time, how the engine's reloading files and key sets are doing
 * ({@link dev.gatehouse.metrics.SourceStatus}). {@link dev.gatehouse.metrics.GatehouseMeters} names the meters built
 * from both, once, for every delivery: the sidecar's Prometheus endpoint and the Spring Boot starter's Micrometer
 * binder export the same names and labels.
 */
@NullMarked
package dev.gatehouse.metrics;

import org.jspecify.annotations.NullMarked;
