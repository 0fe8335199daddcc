package dev.gatehouse.sidecar;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A TCP server on a loopback address (the first argument; the port is the second) that accepts and closes every connection, run inside the loopback guard's network namespace. */
final class LoopbackServer {

  private LoopbackServer() {}

  public static void main(String[] args) throws IOException {
    try (ServerSocket server = new ServerSocket(Integer.parseInt(args[1]), 50, InetAddress.getByName(args[0]))) {
      while (true) {
        try (Socket socket = server.accept()) {
          socket.getOutputStream().write('!');
        }
      }
    }
  }
}
