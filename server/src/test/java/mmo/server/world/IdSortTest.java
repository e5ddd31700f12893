package mmo.server.world;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class IdSortTest {
    @Test
    void sortsLikeArraysSortForEverySizeAndRange() {
        IdSort sort = new IdSort();
        SplittableRandom rnd = new SplittableRandom(11);
        for (int round = 0; round < 400; round++) {
            int n = rnd.nextInt(0, 3000);
            int bound = rnd.nextBoolean() ? rnd.nextInt(1, 5000) : Integer.MAX_VALUE;
            int[] a = new int[n + 5];
            for (int i = 0; i < a.length; i++) a[i] = rnd.nextInt(0, bound);
            int[] expected = a.clone();
            Arrays.sort(expected, 0, n);
            sort.sort(a, n);
            assertThat(a).isEqualTo(expected); // the tail beyond n untouched
        }
    }
}
