package dev.gatehouse.sidecar;

/**
 * The upstream as one event loop sees it: where its exchanges get connections from. Implementations are confined to
 * their event loop.
 */
interface Upstream {

  /** Lends a connection to the listener, a kept-alive one if there is one. */
  void acquire(UpstreamListener listener);

  /** Lends a new connection: the retry after a kept-alive one turned out to be closed. */
  void connect(UpstreamListener listener);

  /** Takes back a connection its exchange finished with cleanly. */
  void offer(UpstreamConnection connection);

  /** Forgets a connection that closed. */
  void remove(UpstreamConnection connection);

  /** Closes what it keeps. */
  void close();
}
