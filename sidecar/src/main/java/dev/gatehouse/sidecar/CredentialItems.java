package dev.gatehouse.sidecar;

import dev.gatehouse.config.CredentialsConfig;
import dev.gatehouse.internal.FileWatch;
import dev.gatehouse.internal.ReloadingFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the credentials endpoint serves: each item's current value and its ETag, and who wants to hear of a change.
 *
 * <p>A file item is read at start and polled ({@link ReloadingFile}, whose stamps follow the real path, so
 * Kubernetes' {@code ..data} symlink swap is seen as a change); an {@code oauth2-route} item is that route's current
 * access token ({@link TokenSource}), a new one being a change. Values never reach a log.
 */
final class CredentialItems implements AutoCloseable {

  /** The largest file served: credentials are small, and a mistaken path to a large file must not fill memory. */
  static final int MAX_FILE_BYTES = 1 << 20;

  /** One version of an item's value. {@link #toString()} never shows it. */
  record Value(byte[] bytes, String etag) {
    static Value of(byte[] bytes) {
      try {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
        // A strong validator that says nothing about the value: 128 bits of its hash.
        return new Value(bytes, "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 16)) + "\"");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public String toString() {
      return "Value[" + etag + "]";
    }
  }

  /** One served item. */
  interface Item {
    /** The value now; a token item may have to fetch it. */
    CompletableFuture<Value> current();

    /**
     * Calls the listener with each new value, on the thread that noticed it, until the returned handle is run.
     *
     * @return what stops the calls
     */
    Runnable subscribe(Consumer<Value> listener);
  }

  private final Map<String, Item> items;
  private final List<ReloadingFile<Value>> files = new ArrayList<>();
  private final ScheduledExecutorService poller;

  CredentialItems(CredentialsConfig config, Function<String, Optional<TokenSource>> tokens, Duration pollInterval) {
    Map<String, Item> byName = new LinkedHashMap<>();
    for (int i = 0; i < config.items().size(); i++) {
      CredentialsConfig.Item item = config.items().get(i);
      if (item.file().isPresent()) {
        Path file = item.file().get();
        Value initial;
        try {
          initial = read(file);
        } catch (IOException | IllegalArgumentException e) {
          throw new dev.gatehouse.config.ConfigException("credentials.items[" + i + "].file", "cannot read " + file + ": " + e.getMessage());
        }
        ReloadingFile<Value> reloading =
            ReloadingFile.watching("credentials item " + item.name() + " (" + file + ")", List.of(file), () -> read(file), value -> value.bytes().length + " bytes", initial);
        files.add(reloading);
        byName.put(item.name(), new FileItem(reloading));
      } else {
        String route = item.oauth2Route().orElseThrow();
        TokenSource source = tokens.apply(route).orElseThrow(() -> new IllegalStateException("no token source for route " + route));
        byName.put(item.name(), new TokenItem(source));
      }
    }
    this.items = Map.copyOf(byName);
    this.poller = files.isEmpty() || pollInterval.isZero() ? null : FileWatch.poll("gatehouse-credentials-reload", pollInterval, this::reloadIfChanged);
  }

  Optional<Item> item(String name) {
    return Optional.ofNullable(items.get(name));
  }

  /** Re-reads the files that changed and tells the listeners; runs on the poller (tests may call it). */
  void reloadIfChanged() {
    for (ReloadingFile<Value> file : files) {
      file.reloadIfChanged();
    }
    notifyChanges();
  }

  private static Value read(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new IllegalArgumentException(file + " is larger than " + MAX_FILE_BYTES + " bytes");
    }
    return Value.of(Files.readAllBytes(file));
  }

  private static final class FileItem implements Item {
    private final ReloadingFile<Value> file;
    private final List<Consumer<Value>> listeners = new CopyOnWriteArrayList<>();
    private volatile Value last;

    FileItem(ReloadingFile<Value> file) {
      this.file = file;
      this.last = file.get();
    }

    @Override
    public CompletableFuture<Value> current() {
      notifyIfChanged();
      return CompletableFuture.completedFuture(file.get());
    }

    @Override
    public Runnable subscribe(Consumer<Value> listener) {
      // ReloadingFile has no listener of its own; a change is noticed at each poll's end (notifyChanges).
      listeners.add(listener);
      return () -> listeners.remove(listener);
    }

    synchronized void notifyIfChanged() {
      Value now = file.get();
      if (now != last) {
        last = now;
        for (Consumer<Value> listener : listeners) {
          listener.accept(now);
        }
      }
    }
  }

  private static final class TokenItem implements Item {
    private final TokenSource source;
    private final List<Consumer<Value>> listeners = new CopyOnWriteArrayList<>();

    TokenItem(TokenSource source) {
      this.source = source;
      source.onNewToken(token -> {
        Value value = Value.of(token.value().getBytes(StandardCharsets.US_ASCII));
        for (Consumer<Value> listener : listeners) {
          listener.accept(value);
        }
      });
    }

    @Override
    public CompletableFuture<Value> current() {
      return source.token().thenApply(token -> Value.of(token.value().getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public Runnable subscribe(Consumer<Value> listener) {
      listeners.add(listener);
      return () -> listeners.remove(listener);
    }
  }

  /** After each poll, file items tell their listeners of a new value. */
  void notifyChanges() {
    for (Item item : items.values()) {
      if (item instanceof FileItem file) {
        file.notifyIfChanged();
      }
    }
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
