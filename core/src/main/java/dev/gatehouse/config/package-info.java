/**
 * The configuration tree of DESIGN.md as immutable records, and {@link dev.gatehouse.config.ConfigLoader}, which builds
 * them from YAML, map trees and overrides with one validator that names the bad key.
 */
@NullMarked
package dev.gatehouse.config;

import org.jspecify.annotations.NullMarked;
