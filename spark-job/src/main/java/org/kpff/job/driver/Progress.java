package org.kpff.job.driver;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.time.Clock;
import java.util.function.ToDoubleFunction;
import org.kpff.job.plan.GridCell;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs cells done/total and an ETA as cells finish; for an adaptive search, whose total is not known in advance,
 * cells done/started.
 *
 * <p>The ETA is the cost model's cost of the work still to do, in measured seconds: each finished cell gives the
 * seconds it took (from its start to its end, as the driver saw them) per unit of its cost; a cell still to run is
 * expected to take its cost times that rate, measured over the finished cells of its backbone when there are some
 * (the cost model's ratios between backbones are rough at small scale) and over all finished cells otherwise. The
 * cells in flight count too: one that has run t seconds shows that its backbone's cells take at least t per its cost,
 * so a backbone's rate is never below that (while the first, slower cells of a backbone run, the finished cells of
 * another would otherwise make the ETA several times too low). A running cell counts only what it has left of its
 * expected time. The sum is divided by the slots, and is never less than the longest single cell still to run or
 * finish (one cell cannot be split over slots). No cell finished: no ETA; cells left of a backbone not yet measured:
 * the ETA is a range and says it is rough ({@link #etaText()}).
 */
final class Progress {

    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private final ToDoubleFunction<GridCell> cost;
    private final boolean known;
    private final int slots;
    private final Clock clock;
    private final long start;
    private int total;
    private int done;
    /** Cells not started yet (known plans only), with their cost. */
    private final Map<String, Cell> pending = new LinkedHashMap<>();
    /** Cells started and not finished, with their cost and start time. */
    private final Map<String, Cell> running = new LinkedHashMap<>();
    /** Per backbone, and over all ("" key), the finished cells' seconds and cost: {seconds, cost}. */
    private final Map<String, double[]> measured = new HashMap<>();

    private record Cell(String backbone, double cost, long startNanos) {
    }

    /** Progress over a known list of cells run on {@code slots} slots at once. */
    Progress(List<GridCell> cells, ToDoubleFunction<GridCell> cost, int slots) {
        this(cells, cost, slots, Clock.systemUTC());
    }

    /** Progress over a known list of cells, timed by {@code clock} (tests pass a fake one). */
    Progress(List<GridCell> cells, ToDoubleFunction<GridCell> cost, int slots, Clock clock) {
        if (slots < 1) {
            throw new IllegalArgumentException("Progress: slots must be >= 1, got " + slots);
        }
        this.cost = cost;
        this.known = true;
        this.slots = slots;
        this.clock = clock;
        this.start = nanos();
        this.total = cells.size();
        for (GridCell c : cells) {
            pending.put(c.id(), new Cell(c.backbone(), cost.applyAsDouble(c), 0));
        }
    }

    /** Progress over cells decided as the run goes: the total grows as cells start; no ETA. */
    Progress(ToDoubleFunction<GridCell> cost) {
        this.cost = cost;
        this.known = false;
        this.slots = 1;
        this.clock = Clock.systemUTC();
        this.start = nanos();
    }

    /** The clock's time in nanoseconds since the epoch. */
    private long nanos() {
        java.time.Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Cells this attempt planned, or -1 for cells decided as the run goes (a search). */
    synchronized int planned() {
        return known ? total : -1;
    }

    /** Cells finished so far (ok, failed or incomplete). */
    synchronized int done() {
        return done;
    }

    synchronized void started(GridCell cell) {
        if (!known) {
            total++;
        }
        pending.remove(cell.id());
        running.put(cell.id(), new Cell(cell.backbone(), cost.applyAsDouble(cell), nanos()));
    }

    synchronized void finished(GridCell cell, String status) {
        long now = nanos();
        done++;
        Cell c = running.remove(cell.id());
        if (c != null && c.cost() > 0) {
            double seconds = (now - c.startNanos()) / 1e9;
            for (String key : List.of("", c.backbone())) {
                double[] m = measured.computeIfAbsent(key, k -> new double[3]);
                m[0] += seconds;
                m[1] += c.cost();
                m[2]++;
            }
        }
        double elapsed = (now - start) / 1e9;
        if (!known) {
            LOG.info("Cell {} {} — {}/{} started cells done, elapsed {}", cell.id(), status, done, total,
                    duration(elapsed));
            return;
        }
        LOG.info("Cell {} {} — {}/{} done, elapsed {}, ETA {}", cell.id(), status, done, total, duration(elapsed),
                done == total ? "0s" : etaText());
    }

    /**
     * The ETA as the log shows it. While cells of a backbone none of whose cells has finished are left, their time
     * comes from the cost model's ratio between backbones, which at small scale can be several times off (at 32 px
     * on a CPU an Inception cell took longer than a VGG-16 cell, whose FLOPs are 10 times as many): the ETA is then a
     * range, from that estimate to the one that expects each such cell to take as long as the mean finished cell,
     * and says it is rough.
     */
    synchronized String etaText() {
        java.util.SortedSet<String> unmeasured = new java.util.TreeSet<>();
        for (Map<String, Cell> cells : List.of(pending, running)) {
            cells.values().stream().map(Cell::backbone).filter(b -> !measured.containsKey(b)).forEach(unmeasured::add);
        }
        String eta = duration(etaSeconds());
        if (unmeasured.isEmpty() || measured.isEmpty()) {
            return eta;
        }
        String high = duration(etaSecondsPerCell());
        return (high.equals(eta) ? eta : eta + " to " + high) + " (rough: no " + String.join("/", unmeasured)
                + " cell has finished yet)";
    }

    /** Seconds until the last cell is expected to finish, as described on the class; NaN before any cell finished. */
    synchronized double etaSeconds() {
        return eta(false);
    }

    /**
     * {@link #etaSeconds()}, but a cell of a backbone none of whose cells has finished is expected to take as long
     * as the mean finished cell, when that is longer than its cost says: the high end of the rough ETA's range.
     */
    synchronized double etaSecondsPerCell() {
        return eta(true);
    }

    private double eta(boolean perCell) {
        long now = nanos();
        double work = 0;
        double longest = 0;
        for (Cell c : pending.values()) {
            double expected = expectedSeconds(c, now, perCell);
            work += expected;
            longest = Math.max(longest, expected);
        }
        for (Cell c : running.values()) {
            double left = Math.max(0, expectedSeconds(c, now, perCell) - (now - c.startNanos()) / 1e9);
            work += left;
            longest = Math.max(longest, left);
        }
        return Math.max(work / slots, longest);
    }

    private double expectedSeconds(Cell c, long now, boolean perCell) {
        double byCost = expectedSeconds(c, now);
        double[] all = measured.get("");
        if (!perCell || measured.containsKey(c.backbone()) || all == null || all[2] <= 0) {
            return byCost;
        }
        return Math.max(byCost, all[0] / all[2]);
    }

    /**
     * The cell's cost times the seconds per unit of cost of its backbone: measured over its finished cells, or over
     * all finished cells, and never less than what any of its running cells has taken per unit so far.
     */
    private double expectedSeconds(Cell c, long now) {
        double[] m = measured.get(c.backbone());
        if (m == null) {
            m = measured.get("");
        }
        if (m == null || m[1] <= 0) {
            return Double.NaN;
        }
        double rate = m[0] / m[1];
        for (Cell r : running.values()) {
            if (r.backbone().equals(c.backbone()) && r.cost() > 0) {
                rate = Math.max(rate, (now - r.startNanos()) / 1e9 / r.cost());
            }
        }
        return c.cost() * rate;
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
