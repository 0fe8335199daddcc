/**
 * Authorization: {@code authorization.rules} compiled once into matchers, and the {@link
 * dev.gatehouse.authz.PolicyEngine} that applies DESIGN.md's decision semantics to a request, its canonical path and
 * its identity.
 */
@NullMarked
package dev.gatehouse.authz;

import org.jspecify.annotations.NullMarked;
