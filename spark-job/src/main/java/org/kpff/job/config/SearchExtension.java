package org.kpff.job.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@code --resume} accepts of a config that differs from the run's: nothing, except that a search may grow. A
 * search resumed with a larger {@code search.trials} (or {@code search.budget}, where the build has that key)
 * continues the same search: its trials so far are the first trials of the larger search (random, asha and tpe draw
 * trial i from a stream of its own index, never from the trial count), so the committed cells are replayed and the
 * new trials come after them. Every other key that defines the results must stay as it was.
 */
public final class SearchExtension {

    /** The keys that may grow on {@code --resume} of a search. */
    static final Set<String> GROWABLE = Set.of(ConfigKeys.SEARCH_TRIALS.name(), "search.budget");

    private SearchExtension() {
    }

    /**
     * Checks that {@code now} may resume a run started with {@code old}.
     *
     * @param old  the run's config (its run.json)
     * @param now  the config given to resume it
     * @param root the run folder, for the messages
     * @return the keys that grew (empty when every key that defines the results is as it was)
     * @throws IllegalArgumentException naming each key that differs, its old and new value, and what is allowed
     */
    public static List<ConfigDifference> check(JobConfig old, JobConfig now, String root) {
        if (old.fingerprint().equals(now.fingerprint())) {
            return List.of();
        }
        List<ConfigDifference> results = old.differences(now).stream().filter(ConfigDifference::definesResults)
                .toList();
        boolean search = old.search().enabled() && now.search().enabled();
        List<ConfigDifference> other = new ArrayList<>();
        List<ConfigDifference> grown = new ArrayList<>();
        for (ConfigDifference d : results) {
            if (search && GROWABLE.contains(d.key())) {
                if (!grows(d.left(), d.right())) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "Cannot resume %s with %s = %s: "
                            + "the search was started with %s = %s, and a resumed search can only grow (its trials "
                            + "so far stay; new ones come after them). Give %s >= %s, or another --out for a new "
                            + "search.", root, d.key(), shown(d.right()), d.key(), shown(d.left()), d.key(),
                            shown(d.left())));
                }
                grown.add(d);
            } else {
                other.add(d);
            }
        }
        if (!other.isEmpty() || grown.isEmpty()) {
            List<String> texts = old.differences(now).stream().filter(d -> !grown.contains(d))
                    .map(ConfigDifference::toString).toList();
            throw new IllegalArgumentException("Cannot resume " + root + " with a different config; these keys "
                    + "differ from the run's (run's -> given): " + String.join(", ", texts) + ". Use the run's config "
                    + "(its run.json) or another --out" + (search ? "; of a search's keys only search.trials may "
                    + "change on --resume, to a larger value (it extends the search)." : "."));
        }
        return List.copyOf(grown);
    }

    /** Whether a trial count or budget grows from a to b; 0 means no limit (every point of a space of lists). */
    static boolean grows(String a, String b) {
        double x = limit(a);
        double y = limit(b);
        return y >= x;
    }

    private static double limit(String v) {
        double d = Double.parseDouble(v.strip());
        return d == 0 ? Double.POSITIVE_INFINITY : d;
    }

    private static String shown(String v) {
        return "0".equals(v.strip()) ? "0 (no limit)" : v;
    }
}
