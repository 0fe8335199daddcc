/**
 * Public for the project's own adapters only; not API. Anything here may change in any release.
 */
@NullMarked
package dev.gatehouse.internal;

import org.jspecify.annotations.NullMarked;
