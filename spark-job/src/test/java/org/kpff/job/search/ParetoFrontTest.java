package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParetoFrontTest {

    /** A trial with its two objectives. */
    record T(String name, double acc, double cost) {
    }

    private static List<String> front(T... ts) {
        return ParetoFront.of(List.of(ts), T::acc, T::cost).stream().map(T::name).toList();
    }

    @Test
    void keepsTheNonDominatedTrialsCheapestFirst() {
        assertEquals(List.of("cheap", "mid", "best"), front(
                new T("best", 0.95, 100), new T("mid", 0.90, 40), new T("worse-and-dearer", 0.85, 60),
                new T("cheap", 0.70, 10), new T("dominated-by-mid", 0.89, 41)));
    }

    @Test
    void exactTiesAreBothOnTheFrontAndPartialTiesAreNot() {
        // a and b tie exactly; c has a's accuracy at a higher cost; d has a's cost at a lower accuracy.
        assertEquals(List.of("a", "b"), front(new T("a", 0.9, 10), new T("b", 0.9, 10), new T("c", 0.9, 11),
                new T("d", 0.8, 10)));
    }

    @Test
    void emptyAndSingleton() {
        assertEquals(List.of(), front());
        assertEquals(List.of("only"), front(new T("only", Double.NEGATIVE_INFINITY, 0)));
    }

    @Test
    void dominanceIsStrictInOneObjective() {
        assertTrue(ParetoFront.dominates(0.9, 10, 0.9, 11));
        assertTrue(ParetoFront.dominates(0.91, 10, 0.9, 10));
        assertFalse(ParetoFront.dominates(0.9, 10, 0.9, 10));
        assertFalse(ParetoFront.dominates(0.95, 12, 0.9, 10));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void equalsTheQuadraticDefinitionOnRandomSetsWithTies(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<T> ts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // Few distinct values, so ties in one or both objectives are common.
            ts.add(new T("t" + i, rng.nextInt(12) / 12.0, rng.nextInt(15)));
        }
        List<T> naive = new ArrayList<>();
        for (T a : ts) {
            boolean dominated = false;
            for (T b : ts) {
                dominated |= ParetoFront.dominates(b.acc(), b.cost(), a.acc(), a.cost());
            }
            if (!dominated) {
                naive.add(a);
            }
        }
        List<T> fast = ParetoFront.of(ts, T::acc, T::cost);
        assertEquals(naive.size(), fast.size());
        assertTrue(fast.containsAll(naive));
    }

    @Test
    void refusesNanAndNegativeCost() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> front(new T("a", 0.9, 1), new T("b", Double.NaN, 1)));
        assertEquals("items[1]: accuracy is NaN; give finished trials only (a number, -Infinity allowed)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> front(new T("a", 0.9, -1)));
        assertEquals("items[0]: cost = -1.0; must be a finite number >= 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> front(new T("a", 0.9, Double.NaN)));
    }
}
