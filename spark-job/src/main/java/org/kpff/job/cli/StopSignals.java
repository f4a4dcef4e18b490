package org.kpff.job.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.kpff.job.driver.RunStopped;
import org.kpff.job.driver.StopRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C and SIGTERM for {@code run} and {@code search}: the first signal asks the driver to stop ({@link
 * StopRequest}: no new cells, training cancelled, commits under way finished, the lease released, one line with the
 * resume command, exit status 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM) instead of letting the JVM
 * stop Spark under the running cells; a second signal exits at once.
 */
final class StopSignals implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

    /** The system property a launcher sets to the command that started the job (submit/local.sh sets its path). */
    static final String LAUNCHER_PROPERTY = "kpff.launcher";

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:,@%+-]+");

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private StopSignals() {
    }

    /**
     * Handles SIGINT and SIGTERM until closed. Where the JVM cannot handle a signal (it was ignored when the process
     * started, as for a background job of a non-interactive shell), that signal keeps its disposition.
     */
    static StopSignals install() {
        StopRequest.clear();
        StopSignals s = new StopSignals();
        for (String name : List.of("INT", "TERM")) {
            Signal signal = new Signal(name);
            try {
                s.previous.add(Signal.handle(signal, StopSignals::onSignal));
                s.signals.add(signal);
            } catch (IllegalArgumentException e) {
                LOG.debug("SIG{} is not handled here: {}", name, e.getMessage());
            }
        }
        return s;
    }

    private static void onSignal(Signal signal) {
        StopRequest.Reason reason = new StopRequest.Reason("SIG" + signal.getName(), 128 + signal.getNumber());
        if (!StopRequest.request(reason)) {
            // The second signal: the user does not want to wait for the commits under way. What they left in
            // _staging/ is removed by --resume, which takes over the lease of this ended process at once.
            Runtime.getRuntime().halt(StopRequest.requested().orElse(reason).exitStatus());
        }
        LOG.warn("{}: stopping: no new cells; the cells training now are cancelled (they stay for --resume) and "
                + "commits under way finish. Press Ctrl-C again to exit at once.", reason.signal());
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
        StopRequest.clear();
    }

    /**
     * Prints the one line that ends a stopped run: what is committed and the command that resumes it.
     *
     * @return the exit status (128 + the signal's number)
     */
    static int report(RunStopped stopped, List<String> argv, PrintWriter err) {
        String of = stopped.planned() < 0 ? "" : " of " + stopped.planned() + " planned";
        err.printf("Stopped by %s: %d cell(s) committed in this attempt, %d%s in the run; resume with: %s%n",
                stopped.reason().signal(), stopped.committedNow(), stopped.committedTotal(), of,
                resumeCommand(argv));
        err.flush();
        return stopped.reason().exitStatus();
    }

    /** The command line that resumes a run: the launcher, the run's arguments, {@code --resume}. */
    static String resumeCommand(List<String> argv) {
        List<String> words = new ArrayList<>();
        words.add(System.getProperty(LAUNCHER_PROPERTY, "kpff"));
        argv.stream().filter(a -> !a.equals("--resume")).forEach(words::add);
        words.add("--resume");
        return String.join(" ", words.stream().map(StopSignals::quote).toList());
    }

    private static String quote(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
