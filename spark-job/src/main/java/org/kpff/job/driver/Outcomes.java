package org.kpff.job.driver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counters of one attempt's cells, updated from the cell threads. */
final class Outcomes {
    /** Cells that trained to the end and were committed. */
    final AtomicInteger ok = new AtomicInteger();
    /** Cells that failed deterministically and were committed with their reason. */
    final AtomicInteger failed = new AtomicInteger();
    /** Ids of cells whose Spark job failed after all retries (not committed). */
    final List<String> incomplete = Collections.synchronizedList(new ArrayList<>());
    /** Cells committed per compute engine (what run.json's attempt reports). */
    final Map<String, Integer> engines = new ConcurrentSkipListMap<>();
    /** The driver's own cost: decisions, commits, per-cell overhead, summary. */
    final DriverStats driver;

    /** Counters with a fresh {@link DriverStats}. */
    Outcomes() {
        this(new DriverStats());
    }

    /** Counters that add the driver's cost to {@code driver} (shared with the source's wrapper). */
    Outcomes(DriverStats driver) {
        this.driver = java.util.Objects.requireNonNull(driver, "driver");
    }
}
