package mmo.server.game.content;

/** Invalid content: the message names the file, the line and the problem, e.g. {@code items.conf:12: ...}. */
public final class ContentException extends RuntimeException {
    public ContentException(String message) {
        super(message);
    }
}
