/**
 * Spring Boot auto-configuration for Gatehouse.
 *
 * <p>Setting any {@code gatehouse.*} property creates the {@link dev.gatehouse.Gatehouse} engine ({@link
 * dev.gatehouse.spring.autoconfigure.GatehouseAutoConfiguration}); in a servlet web application the engine is then put
 * in front of every request as a {@link dev.gatehouse.servlet.GatehouseFilter} ({@link
 * dev.gatehouse.spring.autoconfigure.GatehouseServletFilterAutoConfiguration}). The properties are the keys of the
 * Gatehouse YAML file, bound key by key from {@link dev.gatehouse.config.ConfigSchema}, which also generates this
 * module's configuration metadata. Nothing here is meant to be
 * component-scanned.
 */
@NullMarked
package dev.gatehouse.spring.autoconfigure;

import org.jspecify.annotations.NullMarked;
