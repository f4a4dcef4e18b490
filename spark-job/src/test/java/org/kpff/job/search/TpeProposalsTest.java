package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.SearchConfig;

/**
 * The tpe strategy at the scheduler (no Spark): trials proposed in order from a history fixed by the trial's index,
 * so the same points whatever the slots and the order results arrive in; random search's points during start-up,
 * model-based ones after; BOHB over the rungs.
 */
class TpeProposalsTest {

    static final int FOLDS = 3;
    static final String SPACE = "space { \"train.learning-rate\" = { log-uniform = [1e-5, 1e-1] }, "
            + "\"train.dropout\" = { uniform = [0.1, 0.6] } }";

    static SearchConfig search(String body) {
        return JobConfig.parse("model { backbones = [alexnet], methods = [kpff] }\ntrain.epochs = 9\nsearch { " + body
                + " }", "test.conf", List.of()).search();
    }

    /** A made-up accuracy: best at learning rate 1e-3 and dropout 0.3; rung k of r is 0.05 x (r − 1 − k) lower. */
    static FoldResult accuracy(SortedMap<String, String> p, Segment s, int rungs) {
        double lr = Math.log10(Double.parseDouble(p.get("train.learning-rate"))) + 3;
        double dropout = Double.parseDouble(p.get("train.dropout")) - 0.3;
        return FoldResult.ok(0.9 - 0.05 * lr * lr - 0.5 * dropout * dropout - 0.05 * (rungs - 1 - s.rung())
                + 0.004 * (s.fold() - 1));
    }

    /** Runs a tpe search with {@code slots} cells in flight, ending a random running one each step; its points. */
    static List<SortedMap<String, String>> simulate(SearchConfig search, int rungs, int slots, long seed) {
        return simulate(search, rungs, slots, seed, new int[search.trials()], 0, new SearchScheduler[1]);
    }

    /** The same with each trial's bracket and a budget (0: none); the scheduler is left in {@code out[0]}. */
    static List<SortedMap<String, String>> simulate(SearchConfig search, int rungs, int slots, long seed,
            int[] bracketOf, long budget, SearchScheduler[] out) {
        List<Segment> first = new ArrayList<>();
        for (int t = 0; t < search.trials(); t++) {
            for (int f = 0; f < FOLDS; f++) {
                first.add(new Segment(t, bracketOf[t], f));
            }
        }
        SearchScheduler s = new SearchScheduler(search.trials(), rungs, search.eta(), FOLDS, (t, k) -> k + 1, first,
                bracketOf);
        if (budget > 0) {
            s.budget(budget);
        }
        out[0] = s;
        TpeProposals proposals = new TpeProposals(search, rungs);
        List<SortedMap<String, String>> points = new ArrayList<>();
        s.gate(t -> t < points.size());
        List<Segment> running = new ArrayList<>();
        Random rng = new Random(seed);
        while (true) {
            while (running.size() < slots) {
                points.addAll(proposals.advance(s, points));
                Optional<Segment> next = s.next();
                if (next.isEmpty()) {
                    break;
                }
                running.add(next.get());
            }
            if (running.isEmpty()) {
                assertTrue(s.isFinished(), "the search stalled with " + points.size() + " points");
                return points;
            }
            Segment done = running.remove(rng.nextInt(running.size()));
            s.finished(done, accuracy(points.get(done.trial()), done, rungs));
        }
    }

    static double distance(SortedMap<String, String> p) {
        double lr = Math.log10(Double.parseDouble(p.get("train.learning-rate"))) + 3;
        double dropout = (Double.parseDouble(p.get("train.dropout")) - 0.3) * 10;
        return Math.sqrt(lr * lr + dropout * dropout);
    }

    static double meanDistance(List<SortedMap<String, String>> points, int from) {
        return points.subList(from, points.size()).stream().mapToDouble(TpeProposalsTest::distance).average()
                .orElseThrow();
    }

    @Test
    void tpeProposesTheSamePointsWhateverTheSlotsAndOrderAndRandomSearchsOnlyDuringStartUp() {
        SearchConfig tpe = search("strategy = tpe, trials = 24, seed = 5, min-epochs = 9, tpe { startup-trials = 6, "
                + "in-flight = 2 }, " + SPACE);
        List<SortedMap<String, String>> one = simulate(tpe, 1, 1, 1);
        assertEquals(24, one.size());
        assertEquals(one, simulate(tpe, 1, 4, 2));
        assertEquals(one, simulate(tpe, 1, 9, 3));
        List<SortedMap<String, String>> random = SearchTrials.points(search("strategy = random, trials = 24, seed = 5, "
                + SPACE));
        // Trials 0 .. 6 learn from fewer than 6 results (trial t from trials 0 .. t − 2): random search's.
        assertEquals(random.subList(0, 7), one.subList(0, 7));
        for (int t = 7; t < 24; t++) {
            assertNotEquals(random.get(t), one.get(t), "trial " + t);
        }
        // After start-up, TPE's points are nearer the optimum than random search's (here 1.08 vs 1.65).
        double tpeDistance = meanDistance(one, 7);
        double randomDistance = meanDistance(random, 7);
        assertTrue(tpeDistance < 0.75 * randomDistance, tpeDistance + " vs " + randomDistance);
        // Another seed, other points.
        assertNotEquals(one, simulate(search("strategy = tpe, trials = 24, seed = 6, min-epochs = 9, tpe { "
                + "startup-trials = 6, in-flight = 2 }, " + SPACE), 1, 1, 1));
    }

    @Test
    void withRungsTheProposalsAreBohbsTheSameWhateverTheSlotsAndOrder() {
        SearchConfig bohb = search("strategy = tpe, trials = 27, seed = 5, min-epochs = 1, eta = 3, tpe { "
                + "startup-trials = 4, in-flight = 3 }, " + SPACE);
        assertEquals(List.of(1, 3, 9), SearchTrials.rungs(bohb, 9));
        List<SortedMap<String, String>> one = simulate(bohb, 3, 1, 1);
        assertEquals(27, one.size());
        assertEquals(one, simulate(bohb, 3, 5, 2));
        assertEquals(one, simulate(bohb, 3, 12, 3));
        List<SortedMap<String, String>> random = SearchTrials.points(search("strategy = random, trials = 27, seed = 5, "
                + SPACE));
        BohbSampler sampler = new BohbSampler(TpeSampler.of(bohb.space(), 4, TpeProposals.GAMMA,
                TpeProposals.CANDIDATES, 5), 4, TpeProposals.RANDOM_FRACTION, 5);
        int modelled = 0;
        for (int t = 0; t < 27; t++) {
            // Trials 0 .. 5 learn from fewer than 4 results, and BOHB draws a third of the others at random.
            if (t < 6 || sampler.random(t)) {
                assertEquals(random.get(t), one.get(t), "trial " + t);
            } else {
                assertNotEquals(random.get(t), one.get(t), "trial " + t);
                modelled++;
            }
        }
        assertTrue(modelled >= 10, modelled + " modelled trials");
    }

    @Test
    void aTrialWaitsForTheResultsItLearnsFromAndTheSlotsGoToPromotedTrials() {
        SearchConfig tpe = search("strategy = tpe, trials = 6, seed = 5, min-epochs = 9, tpe { startup-trials = 2, "
                + "in-flight = 1 }, " + SPACE);
        List<Segment> first = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            for (int f = 0; f < FOLDS; f++) {
                first.add(new Segment(t, 0, f));
            }
        }
        SearchScheduler s = new SearchScheduler(6, 1, 3, FOLDS, (t, k) -> 9, first);
        TpeProposals proposals = new TpeProposals(tpe, 1);
        List<SortedMap<String, String>> points = new ArrayList<>();
        s.gate(t -> t < points.size());
        // Trial 1 learns from trial 0 only (fewer than 2 results): both are proposed at once.
        points.addAll(proposals.advance(s, points));
        assertEquals(2, points.size());
        List<Segment> started = new ArrayList<>();
        for (Optional<Segment> n = s.next(); n.isPresent(); n = s.next()) {
            started.add(n.get());
        }
        assertEquals(2 * FOLDS, started.size());
        // Trial 2 learns from trials 0 and 1: nothing until all their folds are in.
        for (int i = 0; i < 2 * FOLDS - 1; i++) {
            s.finished(started.get(i), accuracy(points.get(started.get(i).trial()), started.get(i), 1));
            assertEquals(List.of(), proposals.advance(s, points));
        }
        Segment last = started.get(2 * FOLDS - 1);
        s.finished(last, accuracy(points.get(last.trial()), last, 1));
        List<SortedMap<String, String>> third = proposals.advance(s, points);
        assertEquals(1, third.size());
        assertEquals(Optional.empty(), s.next());
        points.addAll(third);
        assertEquals(Optional.of(new Segment(2, 0, 0)), s.next());
    }

    @Test
    void bohbOverBracketsLearnsFromEveryBracketsRungsDeterministicallyAndWithinABudget() {
        // Rungs at 1, 3, 9 epochs (k + 1 here: 1, 2, 3), two brackets: trials dealt 9 : 5 (Hyperband's n_s).
        SearchConfig search = search("strategy = tpe, trials = 28, seed = 5, eta = 3, min-epochs = 1, brackets = 2, "
                + "tpe { startup-trials = 4, in-flight = 2 }, " + SPACE);
        int[] of = HyperbandBrackets.of(1, 9, 3, 2).assign(28);
        SearchScheduler[] s = new SearchScheduler[1];
        List<SortedMap<String, String>> one = simulate(search, 3, 1, 1, of, 0, s);
        assertEquals(one, simulate(search, 3, 4, 2, of, 0, new SearchScheduler[1]));
        assertEquals(one, simulate(search, 3, 9, 3, of, 0, new SearchScheduler[1]));
        // The last trial's history at rung 1 holds bracket 0's promoted trials and bracket 1's first entrants.
        TpeProposals proposals = new TpeProposals(search, 3);
        List<List<TpeSampler.Observation>> h = proposals.history(27, s[0], one).orElseThrow();
        long fromBracket1 = h.get(1).stream().filter(o -> s[0].bracket(one.indexOf(o.point())) == 1).count();
        long fromBracket0 = h.get(1).size() - fromBracket1;
        int n = 27 - 2 + 1;
        long dealt1 = java.util.Arrays.stream(of, 0, n).filter(b -> b == 1).count();
        assertEquals(dealt1, fromBracket1);
        assertEquals((n - dealt1) / 3, fromBracket0);
        // With a budget, refused promotions never stall the history.
        SearchScheduler[] budgeted = new SearchScheduler[1];
        simulate(search, 3, 3, 4, of, 60, budgeted);
        assertTrue(EpochCells.of(budgeted[0], FOLDS) <= 60);
        assertTrue(budgeted[0].trials() < 28);
    }
}
