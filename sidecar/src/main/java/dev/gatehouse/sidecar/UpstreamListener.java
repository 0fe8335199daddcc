package dev.gatehouse.sidecar;

import io.netty.handler.codec.http.HttpObject;

/** The exchange an upstream connection is lent to; every call comes on the event loop both share. */
interface UpstreamListener {

  /** The connection is ready for the request; it is the listener's until it gives it back. */
  void upstreamReady(UpstreamConnection upstream);

  /** No connection could be had: the upstream is down, or refused. */
  void upstreamUnavailable(Throwable cause);

  /** A part of the response: head, body or end. */
  void upstreamMessage(HttpObject message);

  /** The end of one read from the upstream socket: time to flush towards the client. */
  void upstreamReadComplete();

  /** The upstream socket can take more of the request body again, or not. */
  void upstreamWritabilityChanged(boolean writable);

  /**
   * The connection ended before the exchange did: closed, reset, or silent for the idle timeout.
   *
   * @param timedOut whether it was the idle timeout
   */
  void upstreamFailed(Throwable cause, boolean timedOut);
}
