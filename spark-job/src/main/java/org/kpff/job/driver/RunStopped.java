package org.kpff.job.driver;

/**
 * Thrown by a run or search that stopped early on a {@link StopRequest}: every commit under way finished, the cells
 * still training were cancelled and stay uncommitted, {@code _staging/} is clean and the attempt's entry in run.json
 * says why it ended.
 */
public final class RunStopped extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient StopRequest.Reason reason;
    private final int committedNow;
    private final int committedTotal;
    private final int planned;

    RunStopped(StopRequest.Reason reason, int committedNow, int committedTotal, int planned) {
        super("Stopped by " + reason.signal() + ": " + committedNow + " cell(s) committed in this attempt, "
                + committedTotal + " in the run");
        this.reason = reason;
        this.committedNow = committedNow;
        this.committedTotal = committedTotal;
        this.planned = planned;
    }

    /** Why the run stopped. */
    public StopRequest.Reason reason() {
        return reason;
    }

    /** Cells this attempt committed before it stopped. */
    public int committedNow() {
        return committedNow;
    }

    /** Cells committed in the run folder, by this attempt and earlier ones. */
    public int committedTotal() {
        return committedTotal;
    }

    /** Cells of the run in all: committed before this attempt plus what this attempt planned (-1 when unknown). */
    public int planned() {
        return planned;
    }
}
