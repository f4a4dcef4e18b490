package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The incremental promotion ranking against the rule as it reads (rank the first n entrants again after every
 * result and promote the best ⌊n / eta⌋ not promoted yet): the same trials come due in the same order, over random
 * results with ties (few distinct fold-means) and failures, including promotions the rule did not ask for (a rung
 * closing promotes its best), which must not shift the quota.
 */
class RungRankingTest {

    @ParameterizedTest
    @CsvSource({"2, 1, 400", "3, 2, 400", "3, 7, 1000", "4, 3, 1000", "9, 4, 2000"})
    void promotesExactlyWhatRankingEveryEntrantAgainPromotes(int eta, long seed, int trials) {
        Random r = new Random(seed);
        double[] mean = new double[trials];
        boolean[] ok = new boolean[trials];
        for (int t = 0; t < trials; t++) {
            ok[t] = r.nextInt(10) > 0;
            mean[t] = r.nextInt(20) / 20.0;
        }
        RungRanking ranking = new RungRanking(eta, t -> mean[t]);
        List<Integer> processed = new ArrayList<>();
        Set<Integer> promoted = new HashSet<>();
        List<Integer> incremental = new ArrayList<>();
        List<Integer> reference = new ArrayList<>();
        for (int t = 0; t < trials; t++) {
            processed.add(t);
            ranking.processed(t, ok[t]);
            if (r.nextInt(25) == 0 && !ok[t]) {
                continue;
            }
            // The rule as it reads: the best floor(n / eta) ok entrants, in rank order, those not promoted yet.
            List<Integer> best = processed.stream().filter(x -> ok[x])
                    .sorted((a, b) -> mean[a] != mean[b] ? Double.compare(mean[b], mean[a]) : Integer.compare(a, b))
                    .limit(processed.size() / eta).filter(x -> !promoted.contains(x)).toList();
            reference.addAll(best);
            for (Integer due = ranking.due(); due != null; due = ranking.due()) {
                incremental.add(due);
                promoted.add(due);
                ranking.promoted(due);
            }
            assertEquals(reference, incremental, "after " + processed.size() + " entrants");
            if (r.nextInt(50) == 0) {
                // A promotion outside the rule (a closing rung's best): that trial is no longer due.
                List<Integer> left = ranking.ranked().stream().filter(x -> !promoted.contains(x)).toList();
                if (!left.isEmpty()) {
                    int extra = left.get(left.size() - 1);
                    promoted.add(extra);
                    ranking.promoted(extra);
                }
            }
        }
        assertNull(ranking.due());
        List<Integer> all = processed.stream().filter(x -> ok[x])
                .sorted((a, b) -> mean[a] != mean[b] ? Double.compare(mean[b], mean[a]) : Integer.compare(a, b))
                .toList();
        assertEquals(all, ranking.ranked());
    }
}
