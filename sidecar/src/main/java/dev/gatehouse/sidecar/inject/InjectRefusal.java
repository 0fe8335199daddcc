package dev.gatehouse.sidecar.inject;

/** A document {@code inject} cannot guard: the message names the document and says why, on one line. */
final class InjectRefusal extends Exception {

  private static final long serialVersionUID = 1L;

  InjectRefusal(String message) {
    super(message);
  }
}
