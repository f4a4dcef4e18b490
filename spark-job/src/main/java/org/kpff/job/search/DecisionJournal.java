package org.kpff.job.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A search's {@code decisions.json}: the strategy, seed, rungs and trial points, and every decision (promote,
 * stop, fail, complete) in the order made; rewritten atomically after each batch of decisions. A resumed search
 * replays its committed results and checks that they lead to the recorded decisions.
 *
 * @param strategy  grid, random, asha or tpe
 * @param seed      search.seed
 * @param eta       search.eta
 * @param rungs     epochs of each rung
 * @param trials    the trial points, trial 0 first
 * @param decisions the decisions in the order made
 * @param budget    with {@code search.budget}: the trials started so far and whether more will start; else null
 */
public record DecisionJournal(String strategy, long seed, int eta, List<Integer> rungs, List<SortedMap<String, String>> trials,
        List<Decision> decisions, Budget budget) {

    /**
     * A budgeted search's admissions (a journal without it had no budget).
     *
     * @param epochCells search.budget
     * @param started    trials 0 .. started − 1 have started
     * @param closed     whether the search starts no more trials
     * @param capacity   the trials the search could start (search.trials, or every point of a space of lists);
     *                   0 when the journal does not say
     */
    public record Budget(long epochCells, int started, boolean closed, int capacity) {
    }

    /** A journal without a budget. */
    public DecisionJournal(String strategy, long seed, int eta, List<Integer> rungs,
            List<SortedMap<String, String>> trials, List<Decision> decisions) {
        this(strategy, seed, eta, rungs, trials, decisions, null);
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The journal's format: 2 since a search cell's seed stopped depending on its point (format 1 searches drew
     * point-dependent seeds, so a resume with this version would mix the two).
     */
    static final int FORMAT = 2;

    /** Copies the lists. */
    public DecisionJournal {
        rungs = List.copyOf(rungs);
        trials = List.copyOf(trials);
        decisions = List.copyOf(decisions);
    }

    /** The journal with these decisions. */
    public DecisionJournal with(List<Decision> ds) {
        return new DecisionJournal(strategy, seed, eta, rungs, trials, ds, budget);
    }

    /**
     * Reads the journal of a run folder, if it exists.
     *
     * @throws IllegalArgumentException for a journal of an older format (see {@link #FORMAT})
     */
    public static Optional<DecisionJournal> read(String uri, Configuration conf) throws IOException {
        Path p = new Path(uri);
        FileSystem fs = p.getFileSystem(conf);
        if (!fs.exists(p)) {
            return Optional.empty();
        }
        JsonNode n;
        try (InputStream in = fs.open(p)) {
            n = JSON.readTree(in);
        }
        if (n.path("format").asInt() < FORMAT) {
            throw new IllegalArgumentException("Cannot resume the search: " + uri + " has format "
                    + n.path("format").asInt() + ", written by a version whose search cells drew seeds from their "
                    + "point; this version draws one seed per fold for every trial, so a resume would mix the two. "
                    + "Start a new search with another --out.");
        }
        List<Integer> rungs = new ArrayList<>();
        n.path("rungs").forEach(x -> rungs.add(x.asInt()));
        List<SortedMap<String, String>> trials = new ArrayList<>();
        for (JsonNode t : n.path("trials")) {
            SortedMap<String, String> hp = new TreeMap<>();
            t.path("hp").fields().forEachRemaining(e -> hp.put(e.getKey(), e.getValue().asText()));
            trials.add(hp);
        }
        List<Decision> ds = new ArrayList<>();
        for (JsonNode d : n.path("decisions")) {
            ds.add(new Decision(d.path("trial").asInt(), d.path("rung").asInt(), Action.parse(d.path("action").asText()),
                    d.path("fold_mean").isNumber() ? d.path("fold_mean").asDouble() : Double.NaN, d.path("folds").asInt(),
                    d.path("bracket").asInt(0)));
        }
        JsonNode b = n.path("budget");
        Budget budget = b.isObject() ? new Budget(b.path("epoch_cells").asLong(), b.path("trials_started").asInt(),
                b.path("closed").asBoolean(), b.path("trials_capacity").asInt(0)) : null;
        return Optional.of(new DecisionJournal(n.path("strategy").asText(), n.path("seed").asLong(),
                n.path("eta").asInt(), rungs, trials, ds, budget));
    }

    /** The journal as JSON text. */
    public String toJson() throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("strategy", strategy);
        n.put("seed", seed);
        n.put("eta", eta);
        ArrayNode r = n.putArray("rungs");
        rungs.forEach(r::add);
        if (budget != null) {
            ObjectNode b = n.putObject("budget");
            b.put("epoch_cells", budget.epochCells());
            b.put("trials_started", budget.started());
            b.put("closed", budget.closed());
            b.put("trials_capacity", budget.capacity());
        }
        ArrayNode t = n.putArray("trials");
        for (int i = 0; i < trials.size(); i++) {
            ObjectNode o = t.addObject();
            o.put("trial", i);
            ObjectNode hp = o.putObject("hp");
            for (Map.Entry<String, String> e : trials.get(i).entrySet()) {
                hp.put(e.getKey(), e.getValue());
            }
        }
        ArrayNode d = n.putArray("decisions");
        for (Decision x : decisions) {
            ObjectNode o = d.addObject();
            o.put("trial", x.trial());
            o.put("rung", x.rung());
            o.put("action", x.action().id());
            if (x.bracket() > 0) {
                o.put("bracket", x.bracket());
            }
            if (x.folds() > 0) {
                o.put("folds", x.folds());
            }
            if (Double.isNaN(x.foldMean())) {
                o.putNull("fold_mean");
            } else {
                o.put("fold_mean", x.foldMean());
            }
        }
        return JSON.writeValueAsString(n) + "\n";
    }

    /**
     * Compares this journal's recorded decisions with those replayed from the committed results, rung by rung.
     *
     * @return the first disagreement as a sentence, or empty when they agree
     * @see #firstConflict(List, List)
     */
    public Optional<String> conflictWith(List<Decision> replayed) {
        return firstConflict(decisions, replayed);
    }

    /**
     * Compares the decisions a search recorded with those replayed from its committed results, rung by rung (of each
     * bracket; a decision without a bracket is bracket 0's): at every rung, the recorded sequence must be a prefix of
     * the replayed one (the interleaving of rungs and brackets may differ, it depends on when results arrived).
     *
     * @return the first disagreement as a sentence, or empty when they agree
     */
    public static Optional<String> firstConflict(List<Decision> recorded, List<Decision> replayed) {
        Map<List<Integer>, List<Decision>> rec = byRung(recorded);
        Map<List<Integer>, List<Decision>> rep = byRung(replayed);
        for (Map.Entry<List<Integer>, List<Decision>> e : rec.entrySet()) {
            List<Decision> r = e.getValue();
            List<Decision> p = rep.getOrDefault(e.getKey(), List.of());
            for (int i = 0; i < r.size(); i++) {
                if (i >= p.size()) {
                    return Optional.of("decision '" + r.get(i) + "' was recorded but the committed results no longer "
                            + "lead to it (were committed cells removed?)");
                }
                if (!r.get(i).sameAs(p.get(i))) {
                    return Optional.of("decision " + (i + 1) + " at rung " + e.getKey().get(1) + (e.getKey().get(0) > 0
                            ? " of bracket " + e.getKey().get(0) : "") + " was '" + r.get(i)
                            + "' but the committed results now give '" + p.get(i) + "'");
                }
            }
        }
        return Optional.empty();
    }

    private static Map<List<Integer>, List<Decision>> byRung(List<Decision> ds) {
        return ds.stream().collect(Collectors.groupingBy(d -> List.of(d.bracket(), d.rung()), LinkedHashMap::new,
                Collectors.toList()));
    }
}
