package mmo.server.persistence;

/**
 * An account or character name is already in use, compared ignoring case. Raised by the
 * repositories when the database's unique index rejects the row. Immutable, any thread.
 */
public final class NameTakenException extends RuntimeException {
    private final String name;

    public NameTakenException(String name) {
        super("name already taken: " + name, null, false, false);
        this.name = name;
    }

    /** The name that was refused, as the caller spelled it. */
    public String name() {
        return name;
    }
}
