package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hyperband in the scheduler on scripted results: trials dealt to the brackets in Hyperband's proportions, each
 * bracket's trials starting at its rung and promoted by ASHA's rule within the bracket, the exact epochs every trial
 * trains, the same decisions whatever the slots and arrival order, a budget across brackets, and a resumed search
 * reaching the same decisions.
 */
class HyperbandSchedulerTest {

    static final int FOLDS = 2;
    static final List<Integer> RUNGS = List.of(1, 3, 9);
    /** r = 1, R = 9, eta = 3: brackets of 9, 5 and 3 trials (Li et al.'s n_s), starting at 1, 3 and 9 epochs. */
    static final HyperbandBrackets HB = HyperbandBrackets.of(1, 9, 3, 0);

    /** Trial t's quality: a fixed scramble of the ids, plus a little per rung and fold. */
    static FoldResult accuracy(Segment s) {
        double q = ((s.trial() * 37L) % 17) / 17.0;
        return FoldResult.ok(0.5 * q + 0.05 * s.rung() + (s.fold() == 0 ? 0.01 : -0.01));
    }

    static SearchScheduler scheduler(int trials, long budget) {
        int[] of = HB.assign(trials);
        List<Segment> first = new ArrayList<>();
        for (int t = 0; t < trials; t++) {
            for (int f = 0; f < FOLDS; f++) {
                first.add(new Segment(t, of[t], f));
            }
        }
        SearchScheduler s = new SearchScheduler(trials, RUNGS.size(), 3, FOLDS, (t, k) -> RUNGS.get(k), first, of);
        if (budget > 0) {
            s.budget(budget);
        }
        return s;
    }

    static Map<Segment, FoldResult> simulate(SearchScheduler s, int slots, long seed) {
        Map<Segment, FoldResult> ran = new LinkedHashMap<>();
        List<Segment> running = new ArrayList<>();
        Random rng = seed == 0 ? null : new Random(seed);
        while (true) {
            for (Optional<Segment> n = running.size() < slots ? s.next() : Optional.empty(); n.isPresent();
                    n = running.size() < slots ? s.next() : Optional.empty()) {
                running.add(n.get());
            }
            if (running.isEmpty()) {
                return ran;
            }
            Segment done = running.remove(rng == null ? 0 : rng.nextInt(running.size()));
            ran.put(done, accuracy(done));
            s.finished(done, accuracy(done));
        }
    }

    @Test
    void trialsAreDealtInHyperbandsProportionsAnyPrefixWithinOneTrial() {
        assertEquals(List.of(9, 5, 3), HB.brackets().stream().map(HyperbandBrackets.Bracket::trials).toList());
        int[] of = HB.assign(17);
        // (t + 1) x n_b - held_b x 17, largest first: 0, 1, 0, 2, 0, 1, ...
        assertArrayEquals(new int[] {0, 1, 0, 2, 0, 1, 0, 2, 0, 1, 0, 1}, java.util.Arrays.copyOf(of, 12));
        int[] held = new int[3];
        for (int t = 0; t < of.length; t++) {
            held[of[t]]++;
            for (int b = 0; b < 3; b++) {
                double share = (t + 1) * HB.brackets().get(b).trials() / 17.0;
                assertTrue(Math.abs(held[b] - share) < 1, "trial " + t + " bracket " + b);
            }
        }
        assertArrayEquals(new int[] {9, 5, 3}, held);
    }

    @Test
    void eachBracketStartsAtItsRungAndPromotesWithinItself() {
        SearchScheduler s = scheduler(17, 0);
        simulate(s, 1, 0);
        assertTrue(s.isFinished());
        int[] trials = new int[3];
        int[] atTheEnd = new int[3];
        long[] epochCells = new long[3];
        for (int t = 0; t < 17; t++) {
            int b = s.bracket(t);
            trials[b]++;
            atTheEnd[b] += s.rungReached(t) == 2 ? 1 : 0;
            epochCells[b] += EpochCells.of(s, t, FOLDS);
            assertTrue(s.rungReached(t) >= b);
            // Every trial trained exactly to its rung's epochs, from scratch at its bracket's first rung.
            assertEquals(FOLDS * RUNGS.get(s.rungReached(t)), EpochCells.of(s, t, FOLDS));
        }
        assertArrayEquals(new int[] {9, 5, 3}, trials);
        // Bracket 1 holds trials 1, 5, 9, 11, ... (qualities 3, 15, 10, 16, ... of 17): after 3 entrants trial 5 leads
        // and goes on to 9 epochs; trial 11, the 4th, takes the lead (the top ⌊4 / 3⌋ = 1) and goes on too.
        // Bracket 0 is asha over 9 trials, one of which reaches 9 epochs; bracket 2 trains its 3 to the end.
        assertEquals(1, atTheEnd[0]);
        assertEquals(2, atTheEnd[1]);
        assertEquals(3, atTheEnd[2]);
        assertEquals(FOLDS * (5 * 3 + 2 * 6), epochCells[1]);
        assertEquals(FOLDS * 3 * 9, epochCells[2]);
        for (Decision d : s.decisions()) {
            assertEquals(s.bracket(d.trial()), d.bracket(), d.toString());
        }
    }

    @ParameterizedTest(name = "{0} slots, arrival seed {1}")
    @CsvSource({"2, 0", "4, 3", "7, 5", "34, 9"})
    void decisionsDoNotDependOnSlotsOrTheOrderResultsArrive(int slots, long seed) {
        SearchScheduler reference = scheduler(17, 0);
        simulate(reference, 1, 0);
        SearchScheduler s = scheduler(17, 0);
        simulate(s, slots, seed);
        assertEquals(Optional.empty(), DecisionJournal.firstConflict(reference.decisions(), s.decisions()));
        assertEquals(Optional.empty(), DecisionJournal.firstConflict(s.decisions(), reference.decisions()));
        assertEquals(EpochCells.of(reference, FOLDS), EpochCells.of(s, FOLDS));
    }

    @ParameterizedTest(name = "budget {0}, {1} slots")
    @CsvSource({"40, 1", "60, 3", "100, 5"})
    void aBudgetHoldsAcrossBrackets(long budget, int slots) {
        SearchScheduler s = scheduler(200, budget);
        simulate(s, slots, 7);
        assertTrue(s.isFinished());
        assertTrue(EpochCells.of(s, FOLDS) <= budget, EpochCells.of(s, FOLDS) + " of " + budget);
        assertTrue(s.decisions().stream().anyMatch(d -> d.action() == Action.COMPLETE));
    }

    @ParameterizedTest(name = "interrupted after {0} cells")
    @CsvSource({"5", "11", "19"})
    void aResumedSearchReplaysItsCommittedCellsToTheSameDecisions(int cut) {
        SearchScheduler whole = scheduler(17, 0);
        simulate(whole, 3, 0);
        SearchScheduler first = scheduler(17, 0);
        Map<Segment, FoldResult> committed = new LinkedHashMap<>();
        List<Segment> running = new ArrayList<>();
        while (committed.size() < cut) {
            for (Optional<Segment> n = running.size() < 3 ? first.next() : Optional.empty(); n.isPresent();
                    n = running.size() < 3 ? first.next() : Optional.empty()) {
                running.add(n.get());
            }
            Segment done = running.remove(0);
            committed.put(done, accuracy(done));
            first.finished(done, accuracy(done));
        }
        SearchScheduler resumed = scheduler(17, 0);
        List<Segment> order = new ArrayList<>(committed.keySet());
        java.util.Collections.reverse(order);
        order.forEach(c -> resumed.restore(c, committed.get(c)));
        assertEquals(Optional.empty(), DecisionJournal.firstConflict(first.decisions(), resumed.decisions()));
        simulate(resumed, 3, 0);
        assertEquals(Optional.empty(), DecisionJournal.firstConflict(whole.decisions(), resumed.decisions()));
        assertEquals(Optional.empty(), DecisionJournal.firstConflict(resumed.decisions(), whole.decisions()));
    }
}
