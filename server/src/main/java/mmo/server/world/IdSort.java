package mmo.server.world;

/**
 * Sorts non-negative ints (entity ids) in place without allocating: insertion sort for short
 * runs, else an LSD radix sort (11 bits a pass, passes only for the bits the largest id uses)
 * through a scratch array kept by the caller. {@code Arrays.sort} would allocate merge
 * buffers for large arrays on every call, once per viewer per tick.
 */
final class IdSort {
    private static final int BITS = 11, BUCKETS = 1 << BITS, MASK = BUCKETS - 1;
    private final int[] counts = new int[BUCKETS];
    private int[] scratch = new int[256];

    void sort(int[] a, int n) {
        if (n < 48) {
            insertion(a, n);
            return;
        }
        if (scratch.length < n) scratch = new int[Math.max(n, scratch.length * 2)];
        int max = 0;
        for (int i = 0; i < n; i++) max |= a[i];
        int[] src = a, dst = scratch;
        for (int shift = 0; shift < 32 && (max >>> shift) != 0; shift += BITS) {
            java.util.Arrays.fill(counts, 0);
            for (int i = 0; i < n; i++) counts[(src[i] >>> shift) & MASK]++;
            int sum = 0;
            for (int b = 0; b < BUCKETS; b++) {
                int c = counts[b];
                counts[b] = sum;
                sum += c;
            }
            for (int i = 0; i < n; i++) {
                int v = src[i];
                dst[counts[(v >>> shift) & MASK]++] = v;
            }
            int[] t = src; src = dst; dst = t;
        }
        if (src != a) System.arraycopy(src, 0, a, 0, n);
    }

    private static void insertion(int[] a, int n) {
        for (int i = 1; i < n; i++) {
            int v = a[i], j = i - 1;
            while (j >= 0 && a[j] > v) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
    }
}
