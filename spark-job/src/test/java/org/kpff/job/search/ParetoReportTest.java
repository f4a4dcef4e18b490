package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleBiFunction;
import org.junit.jupiter.api.Test;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.SearchCostKind;
import org.kpff.job.driver.PlannedCell;

/** The accuracy-against-cost front: which rung is compared, the FLOPs of each trial's network, who is on it. */
class ParetoReportTest {

    static JobConfig config(String search) {
        return JobConfig.parse("model { backbones = [alexnet], methods = [kpff], width = 0.125 }\ndata { input-size = "
                + "16, folds = 2 }\ntrain.epochs = 9\nsearch { " + search + " }", "test.conf", List.of());
    }

    /** Runs every cell the study hands out with the given accuracy (trial, rung). */
    static SearchStudy run(JobConfig c, ToDoubleBiFunction<Integer, Integer> accuracy) {
        SearchStudy st = new SearchStudy(c.withoutSearch(), c.search(), SearchTrials.points(c.search()), null, 3);
        for (Optional<PlannedCell> p = st.next(); p.isPresent(); p = st.next()) {
            Segment s = st.segment(p.get().cell().id()).orElseThrow();
            st.scheduler().finished(s, FoldResult.ok(accuracy.applyAsDouble(s.trial(), s.rung())));
        }
        assertTrue(st.scheduler().isFinished());
        return st;
    }

    @Test
    void aWiderProjectionCostsMoreFlopsAndIsOnTheFrontOnlyWhenItIsMoreAccurate() {
        // Trials in grid order: (width 4, lr 0.001), (4, 0.01), (16, 0.001), (16, 0.01).
        JobConfig c = config("strategy = grid, space { \"model.projection-width\" = [4, 16], "
                + "\"train.learning-rate\" = [0.001, 0.01] }");
        double[] acc = {0.5, 0.6, 0.55, 0.7};
        SearchStudy st = run(c, (t, r) -> acc[t]);
        ParetoReport p = ParetoReport.of(st, c.withoutSearch(), 3, Map.of(), SearchCostKind.FLOPS).orElseThrow();
        assertEquals(0, p.rung());
        assertEquals(0, p.left());
        assertEquals(4, p.rows().size());
        Map<Integer, ParetoReport.Row> byTrial = new java.util.HashMap<>();
        p.rows().forEach(r -> byTrial.put(r.trial(), r));
        assertEquals(byTrial.get(0).cost(), byTrial.get(1).cost());
        assertTrue(byTrial.get(2).cost() > byTrial.get(0).cost(), "r = 16 has more FLOPs than r = 4");
        // Cheap: trial 1 (0.6) dominates trial 0 (0.5); dear: trial 3 (0.7) dominates trial 2 (0.55).
        assertEquals(List.of(1, 3), p.front().stream().map(ParetoReport.Row::trial).toList());
        assertTrue(p.markdown("x.png").contains("| 1 | {model.projection-width=4, train.learning-rate=0.01} | 60.00 |"));
        assertTrue(p.markdown("x.png").contains("| yes |") && p.markdown("x.png").contains("![Accuracy against "
                + "cost](x.png)"));
    }

    @Test
    void ashaTrialsAreComparedAtTheHighestRungWithTwoScoresOnly() {
        String space = ", space { \"train.learning-rate\" = { log-uniform = [1e-4, 0.1] } }";
        // Rungs at 1, 3 and 9 epochs; 3 trials: one reaches rung 1 (and 2), so the comparison is at rung 0.
        JobConfig three = config("strategy = asha, eta = 3, min-epochs = 1, trials = 3" + space);
        SearchStudy st = run(three, (t, r) -> 0.3 + 0.1 * t + 0.01 * r);
        ParetoReport p = ParetoReport.of(st, three.withoutSearch(), 3, Map.of(), SearchCostKind.FLOPS).orElseThrow();
        assertEquals(0, p.rung());
        assertEquals(3, p.rows().size());
        assertEquals(1, p.epochs());
        // Same network for every trial: equal FLOPs, the front is the most accurate, and search.md says why.
        assertEquals(List.of(2), p.front().stream().map(ParetoReport.Row::trial).toList());
        assertTrue(p.markdown("x.png").contains("same FLOPs"), p.markdown("x.png"));
        // 6 trials, each better than the last: ASHA promotes the top 1/eta as results arrive, so trials 2, 3, 4
        // and 5 reach rung 1 and trials 4 and 5 the last rung (9 epochs): they are compared there, the others not.
        JobConfig six = config("strategy = asha, eta = 3, min-epochs = 1, trials = 6" + space);
        SearchStudy st6 = run(six, (t, r) -> 0.3 + 0.05 * t + 0.01 * r);
        ParetoReport p6 = ParetoReport.of(st6, six.withoutSearch(), 3, Map.of(), SearchCostKind.FLOPS).orElseThrow();
        assertEquals(2, p6.rung(), st6.scheduler().decisions().toString());
        assertEquals(9, p6.epochs());
        assertEquals(List.of(5, 4), p6.rows().stream().map(ParetoReport.Row::trial).toList());
        assertEquals(0.57, p6.rows().get(0).accuracy(), 1e-12);
        assertEquals(4, p6.left());
        assertEquals(List.of(5), p6.front().stream().map(ParetoReport.Row::trial).toList());
        assertTrue(p6.markdown("x.png").contains("4 trial(s) scored only at lower rungs are not compared"));
        assertFalse(p6.rows().stream().anyMatch(r -> Double.isNaN(r.accuracy())));
    }
}
