/**
 * HTTP details the engine owns so that adapters need not decide them: which headers carry identity and must never come
 * from a client.
 */
@NullMarked
package dev.gatehouse.http;

import org.jspecify.annotations.NullMarked;
