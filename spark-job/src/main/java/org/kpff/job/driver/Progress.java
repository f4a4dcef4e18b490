package org.kpff.job.driver;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.kpff.job.plan.GridCell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs cells done/total and an ETA weighted by the cost model as cells finish. */
final class Progress {

    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final ToDoubleFunction<GridCell> cost;
    private final int total;
    private final double totalCost;
    private final long start = System.nanoTime();
    private int done;
    private double doneCost;

    Progress(List<GridCell> cells, ToDoubleFunction<GridCell> cost) {
        this.cost = cost;
        this.total = cells.size();
        this.totalCost = cells.stream().mapToDouble(cost).sum();
    }

    synchronized void finished(GridCell cell, String status) {
        done++;
        doneCost += cost.applyAsDouble(cell);
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = doneCost <= 0 ? Double.NaN : elapsed * (totalCost - doneCost) / doneCost;
        LOG.info("Cell {} {} — {}/{} done, elapsed {}, ETA {}", cell.id(), status, done, total, duration(elapsed),
                done == total ? "0s" : duration(eta));
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
