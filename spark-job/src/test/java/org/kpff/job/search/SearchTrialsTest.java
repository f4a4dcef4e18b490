package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kpff.job.config.JobConfig;
import org.kpff.job.config.SearchConfig;

/** Trial points and rungs: exact grid expansion, reproducible seeded draws within bounds, rung epochs. */
class SearchTrialsTest {

    static SearchConfig search(String body) {
        return JobConfig.parse("model { backbones = [alexnet], methods = [kpff] }\ntrain.epochs = 9\nsearch { " + body
                + " }", "test.conf", List.of()).search();
    }

    static final String GRID_SPACE = "space { \"train.learning-rate\" = [1e-3, 0.01, 0.1], \"train.dropout\" = [0.3, 0.5],"
            + " \"model.fusion-init\" = { choice = [identity, add] } }";

    static final String MIXED_SPACE = "space { \"train.learning-rate\" = { log-uniform = [1e-5, 1e-1] },"
            + " \"train.batch-size\" = { uniform = [8, 64] }, \"model.projection-width\" = { log-uniform = [16, 256] },"
            + " \"train.dropout\" = { uniform = [0.1, 0.6] }, \"model.fusion-init\" = { choice = [identity, add] } }";

    @Test
    void gridExpandsToTheExactCartesianProductInKeyOrderLastKeyFastest() {
        List<SortedMap<String, String>> points = SearchTrials.points(search("strategy = grid, " + GRID_SPACE));
        assertEquals(12, points.size());
        assertEquals(12, new HashSet<>(points).size());
        assertEquals(Map.of("model.fusion-init", "identity", "train.dropout", "0.3", "train.learning-rate", "0.001"),
                points.get(0));
        assertEquals(Map.of("model.fusion-init", "identity", "train.dropout", "0.3", "train.learning-rate", "0.01"),
                points.get(1));
        assertEquals(Map.of("model.fusion-init", "identity", "train.dropout", "0.5", "train.learning-rate", "0.001"),
                points.get(3));
        assertEquals(Map.of("model.fusion-init", "add", "train.dropout", "0.5", "train.learning-rate", "0.1"),
                points.get(11));
    }

    static final String NETWORK_SPACE = "space { \"model.backbones\" = [alexnet, vgg16], \"model.methods\" = [none, "
            + "kpff], \"model.fusion-init\" = { choice = [identity, add], when = { \"model.methods\" = kpff } }, "
            + "\"model.projection-width\" = { choice = [16, 32], when = { \"model.methods\" = [kpff] } } }";

    @Test
    void backbonesAndMethodsAreCategoricalKeysAndAConditionalKeyEntersOnlyThePointsItsConditionHoldsFor() {
        List<SortedMap<String, String>> points = SearchTrials.points(search("strategy = grid, " + NETWORK_SPACE));
        // Per backbone: none (1 point) + kpff x 2 inits x 2 widths (4 points).
        assertEquals(10, points.size());
        assertEquals(10, search("strategy = grid, " + NETWORK_SPACE).space().gridSize());
        assertEquals(Map.of("model.backbones", "alexnet", "model.methods", "none"), points.get(0));
        assertEquals(Map.of("model.backbones", "alexnet", "model.methods", "kpff", "model.fusion-init", "identity",
                "model.projection-width", "16"), points.get(1));
        assertEquals(Map.of("model.backbones", "vgg16", "model.methods", "kpff", "model.fusion-init", "add",
                "model.projection-width", "32"), points.get(9));
        for (SortedMap<String, String> p : SearchTrials.points(search("strategy = random, trials = 10, seed = 3, "
                + NETWORK_SPACE))) {
            assertEquals(p.get("model.methods").equals("kpff"), p.containsKey("model.fusion-init"), p.toString());
            assertEquals(p.get("model.methods").equals("kpff"), p.containsKey("model.projection-width"), p.toString());
        }
    }

    @Test
    void randomSearchIsReproducibleFromItsSeedAndStaysWithinBounds() {
        List<SortedMap<String, String>> a = SearchTrials.points(search("strategy = random, trials = 40, seed = 7, "
                + MIXED_SPACE));
        assertEquals(a, SearchTrials.points(search("strategy = random, trials = 40, seed = 7, " + MIXED_SPACE)));
        List<SortedMap<String, String>> b = SearchTrials.points(search("strategy = random, trials = 40, seed = 8, "
                + MIXED_SPACE));
        assertNotEquals(a, b);
        assertEquals(40, new HashSet<>(a).size());
        // A fixed draw: the stream is SplitMix64 of derive(seed, "trial/0/attempt/0"), portable across JVMs.
        assertEquals(a.get(0), SearchTrials.points(search("strategy = random, trials = 1, seed = 7, " + MIXED_SPACE))
                .get(0));
        double minLr = 1;
        double maxLr = 0;
        for (SortedMap<String, String> p : a) {
            double lr = Double.parseDouble(p.get("train.learning-rate"));
            minLr = Math.min(minLr, lr);
            maxLr = Math.max(maxLr, lr);
            assertTrue(lr >= 1e-5 && lr <= 1e-1, p.toString());
            int bs = Integer.parseInt(p.get("train.batch-size"));
            assertTrue(bs >= 8 && bs <= 64, p.toString());
            int r = Integer.parseInt(p.get("model.projection-width"));
            assertTrue(r >= 16 && r <= 256, p.toString());
            double dropout = Double.parseDouble(p.get("train.dropout"));
            assertTrue(dropout >= 0.1 && dropout <= 0.6, p.toString());
            assertTrue(List.of("identity", "add").contains(p.get("model.fusion-init")), p.toString());
            // six significant digits at most
            assertTrue(p.get("train.learning-rate").replaceFirst("^0\\.0*", "").length() <= 6, p.toString());
        }
        // Log-uniform over four decades: 40 draws reach both ends' decades.
        assertTrue(minLr < 1e-4 && maxLr > 1e-2, minLr + " .. " + maxLr);
    }

    @Test
    void randomDrawsOverListsAreDistinctPointsOfTheGridInASeededOrder() {
        List<SortedMap<String, String>> grid = SearchTrials.points(search("strategy = grid, " + GRID_SPACE));
        List<SortedMap<String, String>> drawn = SearchTrials.points(search("strategy = random, trials = 12, seed = 3, "
                + GRID_SPACE));
        assertEquals(new HashSet<>(grid), new HashSet<>(drawn));
        assertNotEquals(grid, drawn);
        List<SortedMap<String, String>> five = SearchTrials.points(search("strategy = random, trials = 5, seed = 3, "
                + GRID_SPACE));
        assertEquals(drawn.subList(0, 5), five);
        // asha with trials = 0 takes the whole grid in the same seeded order
        assertEquals(drawn, SearchTrials.points(search("strategy = asha, seed = 3, " + GRID_SPACE)));
    }

    @ParameterizedTest(name = "R={0}, r={1}, eta={2}")
    @CsvSource({
        "9, 1, 3, 1 3 9",
        "10, 1, 3, 1 3 10",
        "8, 2, 2, 2 4 8",
        "27, 1, 3, 1 3 9 27",
        "9, 2, 3, 3 9",
        "100, 10, 3, 11 33 100",
    })
    void ashaRungsEndAtTheFullBudgetAboutEtaApart(int maxEpochs, int min, int eta, String expected) {
        SearchConfig s = JobConfig.parse("model { backbones = [alexnet], methods = [kpff] }\ntrain.epochs = " + maxEpochs
                + "\nsearch { strategy = asha, eta = " + eta + ", min-epochs = " + min
                + ", space { \"train.dropout\" = [0.3, 0.5] } }", "t", List.of()).search();
        assertEquals(expected, String.join(" ", SearchTrials.rungs(s, maxEpochs).stream().map(String::valueOf).toList()));
        assertEquals(List.of(maxEpochs), SearchTrials.rungs(search("strategy = grid, " + GRID_SPACE), maxEpochs));
    }

    @Test
    void theFirstTrialsOfASearchDoNotDependOnItsTrialCountSoAResumedSearchCanGrow() {
        for (String body : List.of("strategy = random, seed = 4, " + MIXED_SPACE, "strategy = asha, seed = 4, "
                + MIXED_SPACE, "strategy = random, seed = 4, " + GRID_SPACE, "strategy = asha, seed = 4, "
                + GRID_SPACE)) {
            List<SortedMap<String, String>> three = SearchTrials.points(search(body + ", trials = 3"));
            List<SortedMap<String, String>> eight = SearchTrials.points(search(body + ", trials = 8"));
            assertEquals(3, three.size(), body);
            assertEquals(three, eight.subList(0, 3), body);
        }
        // asha over a space of lists with 0 trials: every point, the 8-trial search's first.
        List<SortedMap<String, String>> all = SearchTrials.points(search("strategy = asha, seed = 4, " + GRID_SPACE));
        assertEquals(12, all.size());
        assertEquals(SearchTrials.points(search("strategy = asha, seed = 4, trials = 8, " + GRID_SPACE)),
                all.subList(0, 8));
    }
}
