package org.kpff.job.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kpff.job.config.SearchSpace.Dimension;
import org.kpff.job.config.SearchSpace.Kind;
import org.kpff.job.search.FoldPruner;

/** The search section: reading the space, every validation message, fingerprints and rendering. */
class SearchConfigTest {

    /** One network, as every search needs. */
    static final String ONE = "model { backbones = [alexnet], methods = [kpff] }\n";

    static JobConfig parse(String hocon) {
        return JobConfig.parse(ONE + hocon, "test.conf", List.of());
    }

    @Test
    void theExampleConfigLoadsAsASmallAshaSearch() {
        JobConfig c = JobConfig.load(Path.of("..", "conf", "search-example.conf"), List.of());
        SearchConfig s = c.search();
        assertEquals(SearchStrategy.ASHA, s.strategy());
        assertEquals(9, s.trials());
        assertEquals(7L, s.seed());
        assertEquals(3, s.eta());
        assertEquals(1, s.minEpochs());
        assertEquals(List.of("model.fusion-init", "train.dropout", "train.learning-rate"),
                List.copyOf(s.space().dimensions().keySet()));
        assertEquals(new Dimension(Kind.LOG_UNIFORM, List.of(), 1e-5, 1e-1, false),
                s.space().dimensions().get("train.learning-rate"));
        assertEquals(new Dimension(Kind.LIST, List.of("0.3", "0.5"), Double.NaN, Double.NaN, false),
                s.space().dimensions().get("train.dropout"));
        assertEquals(new Dimension(Kind.CHOICE, List.of("identity", "add"), Double.NaN, Double.NaN, false),
                s.space().dimensions().get("model.fusion-init"));
        assertEquals(9, c.train().epochs());
        assertEquals(List.of("alexnet"), c.backbones());
        // The build copies it onto the classpath too.
        assertEquals(c, JobConfig.loadResource("conf/search-example.conf", List.of()));
    }

    @Test
    void quotedAndNestedKeyNamesAndSpellingsOfAValueReadTheSame() {
        JobConfig quoted = parse("search { strategy = grid, space { \"train.learning-rate\" = [1e-3, 0.01] } }");
        JobConfig nested = parse("search.strategy = grid\nsearch.space.train.learning-rate = [0.001, 1e-2]");
        assertEquals(quoted, nested);
        assertEquals(List.of("0.001", "0.01"), quoted.search().space().dimensions().get("train.learning-rate").values());
        assertEquals(2, quoted.search().space().gridSize());
    }

    @Test
    void aSpaceGivenWithSetReplacesTheFilesSpace() {
        JobConfig c = JobConfig.load(Path.of("..", "conf", "search-example.conf"),
                List.of("search.space={\"train.weight-decay\" = [0, 0.0005]}", "search.trials=2"));
        assertEquals(List.of("train.weight-decay"), List.copyOf(c.search().space().dimensions().keySet()));
        assertEquals(List.of("0", "0.0005"), c.search().space().dimensions().get("train.weight-decay").values());
    }

    @Test
    void theResolvedConfigRoundTripsWithItsSpace() {
        JobConfig c = JobConfig.load(Path.of("..", "conf", "search-example.conf"), List.of());
        assertEquals(c, JobConfig.parse(c.renderResolved(), "resolved", List.of()));
        assertEquals(c.fingerprint(), JobConfig.parse(c.renderResolved(), "resolved", List.of()).fingerprint());
    }

    @Test
    void aRunnableRenderingDropsTheSearchSection() {
        JobConfig c = JobConfig.load(Path.of("..", "conf", "search-example.conf"), List.of());
        String text = c.renderRunnable(List.of("best trial 3"));
        assertTrue(text.startsWith("# best trial 3\n"), text);
        assertFalse(text.contains("search"), text);
        JobConfig runnable = JobConfig.parse(text, "best.conf", List.of());
        assertFalse(runnable.search().enabled());
        assertEquals(List.of(), runnable.differences(c).stream().map(ConfigDifference::key)
                .filter(k -> !k.startsWith("search.")).toList());
    }

    @Test
    void plainRunsKeepTheirFingerprintsAndSearchKeysCountOnlyInASearch() {
        // Plain runs: the same values as without the search and data-parallel keys (data.strict = true default).
        assertEquals("57b0a21e1f311dd8", JobConfig.fromEmbeddedDefaults().fingerprint());
        assertEquals("1a2ce79ca001b7d5", JobConfig.loadResource(JobConfig.SMOKE_RESOURCE, List.of()).fingerprint());
        String base = "search { strategy = random, trials = 2, seed = 1, space { \"train.dropout\" = [0.3, 0.5] } }";
        String fp = parse(base).fingerprint();
        assertNotEquals(fp, parse(base.replace("seed = 1", "seed = 2")).fingerprint());
        assertNotEquals(fp, parse(base.replace("trials = 2", "trials = 1")).fingerprint());
        assertNotEquals(fp, parse(base.replace("0.5]", "0.6]")).fingerprint());
        assertNotEquals(fp, parse(base.replace("random", "asha")).fingerprint());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "search.strategy = bohb | search.strategy = \"bohb\": must be one of none, grid, random, asha, hyperband, tpe ('bohb' is not allowed)",
        "train.epochs = 9, search { strategy = hyperband, trials = 9, min-epochs = 1, eta = 3, brackets = 4, space { \"train.dropout\" = { uniform = [0.1, 0.5] } } } | search.brackets = 4: must be 0 (the strategy's default) or 1..3, one bracket per rung (train.epochs = 9, search.min-epochs = 1, search.eta = 3 give 3 rungs)",
        "search { strategy = random, trials = 4, brackets = 2, space { \"train.dropout\" = { uniform = [0.1, 0.5] } } } | search.brackets = 2 with search.strategy = random: brackets start trials at different rungs, so they need rungs; use search.strategy = hyperband, asha or tpe, or leave search.brackets at 0",
        "search { strategy = asha, trials = 4, brackets = -1, space { \"train.dropout\" = { uniform = [0.1, 0.5] } } } | search.brackets = -1: must be an integer >= 0",
        "search { strategy = grid, space { \"data.folds\" = [2, 3] } } | search.space \"data.folds\": cannot be searched; searchable keys: data.input-size, data.normalization, data.augment, model.backbones, model.methods, model.width, model.projection-width, model.fusion-init, model.fusion-lr-scale, model.batch-norm, train.epochs, train.batch-size, train.learning-rate, train.weight-decay, train.dropout, eval.every",
        "search { strategy = grid, space { \"train.learning-rat\" = [0.1] } } | search.space \"train.learning-rat\": is not a config key; did you mean 'train.learning-rate'?",
        "search { strategy = random, trials = 2, space { \"train.seed\" = [1, 2] } } | search.space \"train.seed\": cannot be searched (choosing the luckiest seed overfits the folds); searchable keys: data.input-size, data.normalization, data.augment, model.backbones, model.methods, model.width, model.projection-width, model.fusion-init, model.fusion-lr-scale, model.batch-norm, train.epochs, train.batch-size, train.learning-rate, train.weight-decay, train.dropout, eval.every",
        "search { strategy = random, trials = 4, space { \"train.learning-rate\" = { log-uniform = [0, 0.1] } } } | search.space \"train.learning-rate\": log-uniform = [0, 0.1]: log-uniform needs low > 0",
        "search { strategy = random, trials = 4, space { \"train.learning-rate\" = { uniform = [0.5, 0.1] } } } | search.space \"train.learning-rate\": uniform = [0.5, 0.1]: low must be less than high",
        "search { strategy = random, trials = 4, space { \"train.dropout\" = { uniform = [0.2, 1] } } } | search.space \"train.dropout\": uniform = [0.2, 1]: bound 1 is not allowed; train.dropout must be a number in [0, 1)",
        "search { strategy = random, trials = 4, space { \"train.batch-size\" = { uniform = [8.5, 16] } } } | search.space \"train.batch-size\": uniform = [8.5, 16]: train.batch-size is an int key, so the bounds must be whole numbers",
        "search { strategy = random, trials = 4, space { \"model.fusion-init\" = { uniform = [0, 1] } } } | search.space \"model.fusion-init\": uniform needs a numeric key; model.fusion-init is enum: give a list of values instead",
        "search { strategy = random, trials = 4, space { \"train.dropout\" = { normal = [0, 1] } } } | search.space \"train.dropout\": unknown distribution 'normal'; allowed: uniform, log-uniform, choice",
        "search { strategy = grid, space { \"train.batch-size\" = [8, 0] } } | search.space \"train.batch-size\": value 0 is not allowed; train.batch-size must be an integer >= 1",
        "search { strategy = grid, space { \"train.dropout\" = [0.5, 0.50] } } | search.space \"train.dropout\": value 0.5 is listed twice",
        "search { strategy = grid, space { \"train.dropout\" = [] } } | search.space \"train.dropout\": the list is empty; give at least one value",
        "search { strategy = asha, eta = 1, space { \"train.dropout\" = [0.3, 0.5] } } | search.eta = 1: must be an integer >= 2",
        "search { strategy = random, space { \"train.dropout\" = { uniform = [0.1, 0.5] } } } | search.trials = 0: random search needs a trial budget >= 1",
        "search { strategy = random, trials = -1, space { \"train.dropout\" = [0.3, 0.5] } } | search.trials = -1: must be an integer >= 0",
        "search { strategy = random, trials = 3, space { \"train.dropout\" = [0.3, 0.5] } } | search.trials = 3 exceeds the 2 distinct points of the space (all lists); lower it or give a distribution",
        "search { strategy = grid, trials = 2, space { \"train.dropout\" = [0.3, 0.5] } } | search.trials = 2: grid search trains every point of the space (2); leave search.trials at 0, or use search.strategy = random to draw 2 of them",
        "search { strategy = grid, space { \"train.learning-rate\" = { log-uniform = [1e-5, 0.1] } } } | search.space \"train.learning-rate\": grid search needs a list of values, not a log-uniform distribution (use search.strategy = random, asha or tpe to draw from it)",
        "search { strategy = asha, space { \"train.epochs\" = [3, 9] } } | search.space \"train.epochs\": asha allocates epochs itself through its rungs; remove train.epochs from the space and set it to the largest budget",
        "train.epochs = 2, search { strategy = asha, space { \"train.dropout\" = [0.3, 0.5] } } | train.epochs = 2: asha needs train.epochs >= search.min-epochs x search.eta = 3 so that there are at least two rungs",
        "search { strategy = grid } | search.space is empty but search.strategy = grid: name at least one key to search, e.g. space { \"train.learning-rate\" = [0.0001, 0.001] }",
        "data.folds = 2, search { strategy = grid, nested = true, space { \"train.dropout\" = [0.3, 0.5] } } | search.nested = true with data.folds = 2: an inner search cross-validates on the other folds, so nested search needs data.folds >= 3",
        "search.nested = true | search.nested = true but search.strategy = none: nesting needs a search (grid, random, asha or tpe)",
        "search { strategy = grid, space { \"model.methods\" = [kpff], \"model.fusion-init\" = { choice = [add], when = { \"model.methods\" = concat } } } } | search.space \"model.fusion-init\": when \"model.methods\" = concat: not one of its searched values [kpff]",
        "search { strategy = grid, space { \"model.fusion-init\" = { choice = [add], when = { \"model.methods\" = kpff } } } } | search.space \"model.fusion-init\": when \"model.methods\": a condition must name a key searched in every point with a list or choice of values; searched keys: model.fusion-init",
        "search { strategy = grid, space { \"model.backbones\" = [\"alexnet,vgg16\"] } } | search.space \"model.backbones\": value alexnet,vgg16 names several; each value of a searched model.backbones is one backbone",
        "search.space { \"train.dropout\" = [0.3, 0.5] } | search.space names train.dropout but search.strategy = none: set search.strategy to grid, random, asha or tpe",
        "search { strategy = tpe, space { \"train.dropout\" = { uniform = [0.1, 0.5] } } } | search.trials = 0: tpe needs a trial budget >= 1",
        "search { strategy = tpe, trials = 8, space { \"train.dropout\" = { uniform = [0.1, 0.5] } } } | search.tpe.startup-trials = 10 with search.trials = 8: every trial would be a random draw; set search.tpe.startup-trials below 8, or use search.strategy = random",
        "search { strategy = tpe, trials = 20, space { \"train.epochs\" = { uniform = [3, 9] } } } | search.space \"train.epochs\": tpe compares trials at the same epochs (and allocates them through rungs when search.min-epochs x search.eta <= train.epochs); remove train.epochs from the space and set it to the largest budget",
        "search.fold-pruning = true | search.fold-pruning = true but search.strategy = none: pruning needs a search (grid, random, asha or tpe)",
        "data.folds = 2, search { strategy = grid, fold-pruning = true, space { \"train.dropout\" = [0.3, 0.5] } } | search.fold-pruning = true with data.folds = 2: a look needs 2 completed folds and a fold left to save, so fold pruning needs data.folds >= 3",
        "search { strategy = grid, fold-pruning = true, fold-pruning-alpha = 1, space { \"train.dropout\" = [0.3, 0.5] } } | search.fold-pruning-alpha = 1: must be a number in (0, 1)",
        "search { strategy = tpe, trials = 20, tpe { in-flight = 0 }, space { \"train.dropout\" = { uniform = [0.1, 0.5] } } } | search.tpe.in-flight = 0: must be an integer >= 1",
        "search { strategy = grid, cost = watts, space { \"train.dropout\" = [0.3, 0.5] } } | search.cost = \"watts\": must be one of flops, seconds ('watts' is not allowed)",
        "data.folds = 3, train.epochs = 3, search { strategy = random, trials = 50, budget = 8, space { \"train.dropout\" = { uniform = [0.1, 0.5] } } } | search.budget = 8: must be 0 (no budget) or at least data.folds x train.epochs = 9 epoch-cells, what one trial trained to the end on every fold costs",
        "search { strategy = random, trials = 5, budget = -1, space { \"train.dropout\" = { uniform = [0.1, 0.5] } } } | search.budget = -1: must be an integer >= 0",
        "search.budget = 100 | search.budget = 100 but search.strategy = none: a budget needs a search (grid, random, asha or tpe)",
    })
    void everySearchMistakeIsNamedWithWhatIsAllowed(String hocon, String expected) {
        ConfigValidationException e = assertThrows(ConfigValidationException.class,
                () -> parse(hocon));
        assertEquals(List.of(expected), e.errors().stream().map(m -> m.replaceAll(" \\[test\\.conf: \\d+]$", ""))
                .toList(), e.getMessage());
    }

    @Test
    void aNestedSearchOnThreeFoldsMayPruneItsSearchOverAllFolds() {
        JobConfig config = parse("data.folds = 3, search { strategy = grid, nested = true, fold-pruning = true, "
                + "space { \"train.dropout\" = [0.3, 0.5] } }");
        assertTrue(config.search().foldPruning());
        assertEquals(1, FoldPruner.forKFold(3, 0.05).looks(), "the search over all 3 folds looks once");
        assertEquals(0, FoldPruner.forKFold(2, 0.05).looks(), "an inner search on 2 folds never looks");
    }

    @Test
    void aSearchTunesOneNetwork() {
        ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> JobConfig.parse(
                "search { strategy = grid, space { \"train.dropout\" = [0.3, 0.5] } }", "test.conf", List.of()));
        assertEquals(List.of("model.backbones = [alexnet, vgg16, inception] has 3 values but a search tunes one "
                + "backbone (its objective is the fold-mean accuracy of one network): set one, or search it "
                + "(search.space \"model.backbones\" = [...], one backbone per value)", "model.methods = [none, add, "
                + "concat, kpff] has 4 values but a search tunes one fusion method (its objective is the fold-mean "
                + "accuracy of one network): set one, or search it (search.space \"model.methods\" = [...], one "
                + "fusion method per value)"), e.getMessage().lines().skip(1).map(String::strip).map(l -> l.substring(2)).toList());
    }
}
