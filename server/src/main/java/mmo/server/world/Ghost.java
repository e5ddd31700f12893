package mmo.server.world;

/**
 * An entity simulated by another world and shown here: an id, a position and its encoded enter
 * fields as reported by its owner. Never simulated, never a viewer, never saved.
 */
final class Ghost extends Entity {
    private byte[] fields;

    Ghost(int id, float x, float y, byte[] fields) {
        super(id, x, y);
        this.fields = fields;
    }

    @Override
    boolean isGhost() {
        return true;
    }

    /** Its new enter fields (its look changed where it is simulated). */
    void setFields(byte[] fields) {
        this.fields = fields;
    }

    @Override
    byte[] enterFields() {
        return fields;
    }

    @Override
    byte[] encodeEnterFields() {
        return fields;
    }
}
