package org.kpff.job.driver;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.kpff.job.plan.GridCell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs cells done/total and an ETA weighted by the cost model as cells finish; for an adaptive search, whose total
 * is not known in advance, cells done/started.
 */
final class Progress {

    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final ToDoubleFunction<GridCell> cost;
    private final boolean known;
    private int total;
    private double totalCost;
    private final long start = System.nanoTime();
    private int done;
    private double doneCost;

    /** Progress over a known list of cells. */
    Progress(List<GridCell> cells, ToDoubleFunction<GridCell> cost) {
        this.cost = cost;
        this.known = true;
        this.total = cells.size();
        this.totalCost = cells.stream().mapToDouble(cost).sum();
    }

    /** Progress over cells decided as the run goes: the total grows as cells start. */
    Progress(ToDoubleFunction<GridCell> cost) {
        this.cost = cost;
        this.known = false;
    }

    synchronized void started(GridCell cell) {
        if (!known) {
            total++;
            totalCost += cost.applyAsDouble(cell);
        }
    }

    synchronized void finished(GridCell cell, String status) {
        done++;
        doneCost += cost.applyAsDouble(cell);
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (!known) {
            LOG.info("Cell {} {} — {}/{} started cells done, elapsed {}", cell.id(), status, done, total,
                    duration(elapsed));
            return;
        }
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
