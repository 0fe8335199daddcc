/**
 * The Gatehouse engine as a Jakarta Servlet 6 filter.
 *
 * <p>{@link dev.gatehouse.servlet.GatehouseFilter} is the only public type. It wraps each request in a read-only view
 * for the engine, writes refusals itself, and hands allowed requests to the application wrapped so that {@code
 * getRemoteUser()} and the identity headers answer from the engine, never from the client.
 */
@NullMarked
package dev.gatehouse.servlet;

import org.jspecify.annotations.NullMarked;
