package mmo.app.term;

import java.util.Arrays;

/**
 * A screenful of characters, each with a {@link Tint}: what the renderer produces and the
 * Lanterna layer copies to the terminal. Not thread-safe; one thread builds and reads it.
 */
public final class CharGrid {
    private final int cols;
    private final int rows;
    private final char[] chars;
    private final Tint[] tints;

    public CharGrid(int cols, int rows) {
        if (cols <= 0 || rows <= 0) throw new IllegalArgumentException("grid of " + cols + "x" + rows);
        this.cols = cols;
        this.rows = rows;
        chars = new char[cols * rows];
        tints = new Tint[cols * rows];
        Arrays.fill(chars, ' ');
        Arrays.fill(tints, Tint.TEXT);
    }

    public int cols() {
        return cols;
    }

    public int rows() {
        return rows;
    }

    /** Sets one cell; cells outside the grid are ignored. */
    public void put(int col, int row, char c, Tint tint) {
        if (col < 0 || row < 0 || col >= cols || row >= rows) return;
        chars[row * cols + col] = c;
        tints[row * cols + col] = tint;
    }

    /** Writes {@code text} from (col, row) rightwards, cut at the grid's edge or after {@code max} cells. */
    public void text(int col, int row, String text, Tint tint, int max) {
        for (int i = 0, n = Math.min(text.length(), max); i < n; i++) {
            char c = text.charAt(i);
            put(col + i, row, printable(c), tint);
        }
    }

    /**
     * {@code c}, or '?' for what a terminal would act on or not advance over: control
     * characters (ESC starts an escape sequence) and format characters (bidi overrides,
     * zero-width joiners), which would corrupt the screen or shift the columns after them.
     */
    public static char printable(char c) {
        return Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c;
    }

    /** {@code s} with every character {@link #printable(char)}: server text for a plain terminal line. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) b.append(printable(s.charAt(i)));
        return b.toString();
    }

    public char charAt(int col, int row) {
        return chars[row * cols + col];
    }

    public Tint tintAt(int col, int row) {
        return tints[row * cols + col];
    }

    /** One row as a string (trailing spaces kept). */
    public String row(int row) {
        return new String(chars, row * cols, cols);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(rows * (cols + 1));
        for (int r = 0; r < rows; r++) b.append(row(r).stripTrailing()).append('\n');
        return b.toString();
    }
}
