package mmo.server.net;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files the HTTP side serves from the classpath: the browser client under {@code web/}
 * and the maps under {@code maps/}. Reads each file once and keeps its bytes. Thread-safe.
 */
final class StaticFiles {
    record File(byte[] bytes, String contentType) {}

    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("tmj", "application/json"),
            Map.entry("png", "image/png"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("proto", "text/plain; charset=utf-8"),
            Map.entry("map", "application/json"));

    private static final byte[] NOT_BUILT = """
            <!doctype html><meta charset="utf-8"><title>mmo</title>
            <p>The browser client is not built into this server. Build with <code>./mmo serve</code>
            (or <code>mvn package</code>) so the web module is included.</p>
            """.getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final ConcurrentHashMap<String, Optional<File>> cache = new ConcurrentHashMap<>();
    private final ClassLoader loader = StaticFiles.class.getClassLoader();
    private final java.util.List<java.nio.file.Path> mapDirectories;

    /** @param mapDirectory a directory served at {@code /maps/} before the classpath, or null */
    StaticFiles(java.nio.file.Path mapDirectory) {
        this(mapDirectory == null ? java.util.List.of() : java.util.List.of(mapDirectory));
    }

    /** @param mapDirectories directories served at {@code /maps/} before the classpath, tried in order */
    StaticFiles(java.util.List<java.nio.file.Path> mapDirectories) {
        this.mapDirectories = java.util.List.copyOf(mapDirectories);
    }

    /** The file for a request path, or empty for 404. */
    Optional<File> lookup(String path) {
        int q = path.indexOf('?');
        if (q >= 0) path = path.substring(0, q);
        if (path.contains("..") || path.contains("\\") || path.contains("//")) return Optional.empty();
        String resource;
        if (path.equals("/") || path.equals("/index.html")) {
            resource = "web/index.html";
        } else if (path.startsWith("/maps/")) {
            resource = path.substring(1);
        } else if (path.equals("/protocol/mmo.proto")) {
            resource = "mmo/v1/mmo.proto";
        } else {
            resource = "web" + path;
        }
        Optional<File> f = cache.computeIfAbsent(resource, this::load);
        if (f.isEmpty() && resource.equals("web/index.html")) {
            return Optional.of(new File(NOT_BUILT, TYPES.get("html")));
        }
        return f;
    }

    private Optional<File> load(String resource) {
        if (resource.startsWith("maps/")) {
            for (java.nio.file.Path mapDirectory : mapDirectories) {
                java.nio.file.Path file = mapDirectory.resolve(resource.substring("maps/".length())).normalize();
                if (file.startsWith(mapDirectory) && java.nio.file.Files.isRegularFile(file)) {
                    try {
                        return Optional.of(new File(java.nio.file.Files.readAllBytes(file), type(resource)));
                    } catch (IOException e) {
                        return Optional.empty();
                    }
                }
            }
        }
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null || resource.endsWith("/")) return Optional.empty();
            return Optional.of(new File(in.readAllBytes(), type(resource)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String type(String resource) {
        String ext = resource.substring(resource.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }
}
