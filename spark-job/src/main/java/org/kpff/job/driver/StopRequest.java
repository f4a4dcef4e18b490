package org.kpff.job.driver;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This JVM's request to stop a run early (SIGINT or SIGTERM, see the CLI's signal handler): once requested, the cell
 * executors start no new cell, cancel the cells still training (they stay uncommitted, their checkpoints kept for
 * {@code --resume}), let commits under way finish, remove what a commit left in {@code _staging/}, and end the
 * attempt with {@link RunStopped}.
 */
public final class StopRequest {

    /** Why the run stops: the signal's name (e.g. {@code SIGINT}) and the exit status the process ends with. */
    public record Reason(String signal, int exitStatus) {
        public Reason {
            Objects.requireNonNull(signal, "signal");
        }
    }

    private static final AtomicReference<Reason> REQUESTED = new AtomicReference<>();
    private static final List<Runnable> LISTENERS = new CopyOnWriteArrayList<>();

    private StopRequest() {
    }

    /** A registered listener; closing it removes it. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Requests the stop; the first request wins and runs the listeners.
     *
     * @return true for the first request, false when a stop was already requested
     */
    public static boolean request(Reason reason) {
        if (!REQUESTED.compareAndSet(null, Objects.requireNonNull(reason, "reason"))) {
            return false;
        }
        LISTENERS.forEach(Runnable::run);
        return true;
    }

    /** The stop requested in this JVM, if any. */
    public static Optional<Reason> requested() {
        return Optional.ofNullable(REQUESTED.get());
    }

    /** Forgets a stop request (the CLI does so when its signal handler is removed; tests between runs). */
    public static void clear() {
        REQUESTED.set(null);
    }

    /**
     * Runs {@code action} when a stop is requested (at once when one already is) until the returned handle is
     * closed.
     */
    static Registration whenRequested(Runnable action) {
        LISTENERS.add(action);
        if (REQUESTED.get() != null) {
            action.run();
        }
        return () -> LISTENERS.remove(action);
    }
}
