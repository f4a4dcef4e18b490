package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.kpff.job.config.SearchSpace;
import org.kpff.job.config.SearchSpace.Dimension;
import org.kpff.job.config.SearchSpace.Kind;
import org.kpff.job.search.TpeSampler.Observation;

class BohbSamplerTest {

    static final String DROPOUT = "train.dropout";
    static final SearchSpace SPACE = new SearchSpace(new TreeMap<>(Map.of(
            DROPOUT, new Dimension(Kind.UNIFORM, List.of(), 0, 0.9, false),
            "train.learning-rate", new Dimension(Kind.LOG_UNIFORM, List.of(), 1e-5, 1e-1, false))));

    static Observation obs(double dropout, double value) {
        return new Observation(Map.of(DROPOUT, Double.toString(dropout), "train.learning-rate", "0.001"), value);
    }

    /** Rung 0: 20 trials, best near dropout 0.8; rung 1: the 8 promoted, which at more epochs prefer 0.2. */
    static List<List<Observation>> rungs() {
        List<Observation> r0 = new ArrayList<>();
        List<Observation> r1 = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            double x = 0.045 * i;
            r0.add(obs(x, -Math.abs(x - 0.8)));
            if (i % 5 < 2) {
                r1.add(obs(x, -Math.abs(x - 0.2)));
            }
        }
        return List.of(r0, r1, List.of());
    }

    @Test
    void theModelRungIsTheHighestWithEnoughFiniteObservations() {
        List<List<Observation>> rungs = rungs();
        assertEquals(1, BohbSampler.modelRung(rungs, 8));
        assertEquals(0, BohbSampler.modelRung(rungs, 9));
        assertEquals(-1, BohbSampler.modelRung(rungs, 21));
        List<Observation> failed = new ArrayList<>(rungs.get(1));
        failed.set(0, obs(0.5, Double.NaN));
        assertEquals(0, BohbSampler.modelRung(List.of(rungs.get(0), failed), 8));
    }

    @Test
    void proposalsFollowTheHighRungNotTheLowOne() {
        TpeSampler tpe = TpeSampler.of(SPACE, 5, 0.25, 24, 3L);
        BohbSampler bohb = new BohbSampler(tpe, 5, 0, 3L);
        List<List<Observation>> rungs = rungs();
        int nearHigh = 0;
        for (int t = 20; t < 60; t++) {
            SortedMap<String, String> p = bohb.next(t, rungs, List.of());
            assertEquals(tpe.next(t, rungs.get(1), List.of()), p);
            nearHigh += Math.abs(Double.parseDouble(p.get(DROPOUT)) - 0.2) < 0.15 ? 1 : 0;
        }
        assertTrue(nearHigh >= 30, nearHigh + " of 40 proposals within 0.15 of rung 1's optimum");
    }

    @Test
    void aFractionOfTrialsIsRandomSearchsDraw() {
        TpeSampler tpe = TpeSampler.of(SPACE, 5, 0.25, 24, 5L);
        BohbSampler bohb = new BohbSampler(tpe, 5, 1.0 / 3, 5L);
        int random = 0;
        for (int t = 0; t < 3000; t++) {
            random += bohb.random(t) ? 1 : 0;
        }
        assertEquals(1000, random, 60);
        List<List<Observation>> rungs = rungs();
        for (int t = 20; t < 40; t++) {
            SortedMap<String, String> p = bohb.next(t, rungs, List.of());
            assertEquals(bohb.random(t) ? tpe.next(t, List.of(), List.of()) : tpe.next(t, rungs.get(1), List.of()), p);
        }
        BohbSampler never = new BohbSampler(tpe, 5, 0, 5L);
        BohbSampler always = new BohbSampler(tpe, 5, 1, 5L);
        for (int t = 0; t < 200; t++) {
            assertTrue(!never.random(t) && always.random(t));
        }
    }

    @Test
    void refusesBadArguments() {
        TpeSampler tpe = TpeSampler.of(SPACE, 5, 0.25, 24, 5L);
        assertEquals("minObservations = 0: must be at least 1", assertThrows(IllegalArgumentException.class,
                () -> new BohbSampler(tpe, 0, 0.3, 1L)).getMessage());
        assertEquals("randomFraction = 1.5: must be in [0, 1]", assertThrows(IllegalArgumentException.class,
                () -> new BohbSampler(tpe, 5, 1.5, 1L)).getMessage());
        assertEquals("rungs: none; give at least rung 0 (empty before any result)",
                assertThrows(IllegalArgumentException.class,
                        () -> new BohbSampler(tpe, 5, 0.3, 1L).next(0, List.of(), List.of())).getMessage());
    }
}
