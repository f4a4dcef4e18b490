package org.kpff.job.search;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;

/**
 * How the search scheduler's own time grows with the number of trials (not a test: run by hand, see
 * kpff-bench/search-scale.sh): ASHA with 2 folds, eta = 3 and two rungs, 8 cells in flight, results drawn at random,
 * for 188, 1880 and 5640 trials (about 500, 5000 and 15000 cells); each size twice, the second time measured.
 *
 * <pre>java -cp spark-job/target/classes:spark-job/target/test-classes org.kpff.job.search.SchedulerBenchmark</pre>
 */
public final class SchedulerBenchmark {

    private SchedulerBenchmark() {
    }

    public static void main(String[] args) {
        int[] sizes = args.length > 0 ? java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray()
                : new int[] {188, 1880, 5640};
        for (int round = 0; round < 2; round++) {
            for (int trials : sizes) {
                long t0 = System.nanoTime();
                int cells = run(trials);
                if (round == 1) {
                    System.out.printf(Locale.ROOT, "%d trials, %d cells: %.1f ms%n", trials, cells,
                            (System.nanoTime() - t0) / 1e6);
                }
            }
        }
    }

    /** Runs a whole search through the scheduler; returns the cells it started. */
    static int run(int trials) {
        int folds = 2;
        List<Segment> first = new ArrayList<>();
        for (int t = 0; t < trials; t++) {
            for (int f = 0; f < folds; f++) {
                first.add(new Segment(t, 0, f));
            }
        }
        SearchScheduler s = new SearchScheduler(trials, 2, 3, folds, (t, k) -> k == 0 ? 1 : 3, first);
        Random random = new Random(1);
        Deque<Segment> running = new ArrayDeque<>();
        int cells = 0;
        while (true) {
            while (running.size() < 8) {
                Optional<Segment> next = s.next();
                if (next.isEmpty()) {
                    break;
                }
                running.add(next.get());
            }
            if (running.isEmpty()) {
                return cells;
            }
            cells++;
            s.finished(running.poll(), FoldResult.ok(random.nextDouble()));
        }
    }
}
