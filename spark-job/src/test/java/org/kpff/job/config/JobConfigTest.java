package org.kpff.job.config;

import org.kpff.core.data.NormalizationSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;

class JobConfigTest {

    /** The repository's conf/ folder; surefire runs in the module folder. */
    private static final Path CONF = Path.of("..", "conf");

    @TempDir
    Path tmp;

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static ConfigValidationException invalid(String hocon, String... overrides) {
        return assertThrows(ConfigValidationException.class, () -> JobConfig.parse(hocon, "test.conf",
                List.of(overrides)));
    }

    @Test
    void defaultsAreThePaperProtocol() {
        JobConfig c = JobConfig.fromEmbeddedDefaults();
        assertEquals(new DataConfig("", 224, 5, NormalizationSource.TRAIN_FOLD, false, true, 42L), c.data());
        assertEquals(new ModelConfig(List.of("alexnet", "vgg16", "inception"),
                List.of(FusionMethod.NONE, FusionMethod.ADD, FusionMethod.CONCAT, FusionMethod.KPFF), 1.0, 256,
                FusionInit.IDENTITY, true, 1.0), c.model());
        assertEquals(new TrainConfig(200, 50, 1e-4, 5e-4, 0.5, 42L), c.train());
        assertEquals(new EvalConfig(10), c.eval());
        assertEquals(new RunConfig(RunMode.LOCAL, 0, true,
                new DataParallelConfig(TrainingMasterKind.PARAMETER_AVERAGING, 0, 5)), c.run());
    }

    @Test
    void cpuScaleRealImageConfKeepsThePaperGridAndOptimiser() {
        // docs/RESULTS.md says: the paper's grid and optimiser, only input size, width, r, epochs and eval shrunk.
        JobConfig paper = JobConfig.load(CONF.resolve("paper.conf"), List.of());
        JobConfig cpu = JobConfig.load(CONF.resolve("uc-merced-cpu.conf"), List.of());
        assertEquals(List.of("data.input-size", "eval.every", "model.projection-width", "model.width", "train.epochs"),
                paper.differingKeys(cpu));
        assertEquals(paper.model().backbones(), cpu.model().backbones());
        assertEquals(paper.model().methods(), cpu.model().methods());
        assertEquals(new TrainConfig(5, 50, 1e-4, 5e-4, 0.5, 42L), cpu.train());
        assertEquals(32, cpu.data().inputSize());
        assertEquals(5, cpu.data().folds());
    }

    @Test
    void plateauConfigsKeepThePaperOptimiserAndTheAblationChangesOnlyW() {
        // docs/RESULTS.md says: the paper's optimiser and protocol; only scale, backbones and training length differ.
        JobConfig paper = JobConfig.load(CONF.resolve("paper.conf"), List.of());
        JobConfig alex = JobConfig.load(CONF.resolve("table1-alexnet64.conf"), List.of());
        JobConfig vggInc = JobConfig.load(CONF.resolve("table1-vgg-inception32.conf"), List.of());
        List<String> scale = List.of("data.input-size", "eval.every", "model.backbones", "model.projection-width",
                "model.width", "train.epochs");
        assertEquals(scale, paper.differingKeys(alex));
        assertEquals(scale, paper.differingKeys(vggInc));
        assertEquals(new TrainConfig(40, 50, 1e-4, 5e-4, 0.5, 42L), alex.train());
        assertEquals(alex.train(), vggInc.train());
        JobConfig ablation = JobConfig.load(CONF.resolve("ablation-fusion-lr.conf"), List.of());
        assertEquals(List.of("model.fusion-lr-scale", "model.methods"), alex.differingKeys(ablation));
        JobConfig alex80 = JobConfig.load(CONF.resolve("table1-alexnet64-80.conf"), List.of());
        assertEquals(List.of("train.epochs"), alex.differingKeys(alex80));
        assertEquals(80, alex80.train().epochs());
        JobConfig vgg100 = JobConfig.load(CONF.resolve("table1-vgg32-100.conf"), List.of());
        assertEquals(List.of("model.backbones", "train.epochs"), vggInc.differingKeys(vgg100));
        assertEquals(List.of("vgg16"), vgg100.backbones());
        assertEquals(100, vgg100.train().epochs());
        JobConfig inception120 = JobConfig.load(CONF.resolve("table1-inception32-120.conf"), List.of());
        assertEquals(List.of("model.backbones", "train.epochs"), vggInc.differingKeys(inception120));
        assertEquals(List.of("inception"), inception120.backbones());
        assertEquals(120, inception120.train().epochs());
    }

    @Test
    void everyShippedConfigOpensWithACommentAndLoads() throws IOException {
        List<Path> files;
        try (var s = Files.list(CONF)) {
            files = s.sorted().toList();
        }
        assertEquals(14, files.size(), files.toString());
        for (Path f : files) {
            String name = f.getFileName().toString();
            String text = Files.readString(f);
            assertTrue(text.startsWith("# "), f + " must open with a comment saying what it is for");
            if (name.endsWith(".conf") && !name.equals("spark-defaults.conf")) {
                assertTrue(text.startsWith("# " + name + ": "), f + " must open with '# " + name + ": ...'");
                JobConfig.load(f, List.of());
            }
        }
    }

    @Test
    void paperConfEqualsDefaultsAndSmokeConfShrinksIt() {
        JobConfig paper = JobConfig.load(CONF.resolve("paper.conf"), List.of());
        assertEquals(JobConfig.fromEmbeddedDefaults(), paper);

        JobConfig smoke = JobConfig.load(CONF.resolve("smoke.conf"), List.of());
        assertEquals(List.of("data.folds", "data.input-size", "eval.every", "model.projection-width", "model.width",
                "train.batch-size", "train.epochs"), paper.differingKeys(smoke));
        assertEquals(new DataConfig("", 32, 2, NormalizationSource.TRAIN_FOLD, false, true, 42L), smoke.data());
        assertEquals(0.125, smoke.model().width());
        assertEquals(32, smoke.model().projectionWidth());
        assertEquals(3, smoke.backbones().size());
        assertEquals(4, smoke.methods().size());
        assertEquals(new TrainConfig(4, 32, 1e-4, 5e-4, 0.5, 42L), smoke.train());
        assertEquals(2, smoke.eval().every());
    }

    @Test
    void shippedConfigsAreOnTheClasspath() {
        assertEquals(JobConfig.load(CONF.resolve("smoke.conf"), List.of()),
                JobConfig.loadResource(JobConfig.SMOKE_RESOURCE, List.of()));
        assertEquals(JobConfig.fromEmbeddedDefaults(), JobConfig.loadResource(JobConfig.PAPER_RESOURCE, List.of()));
    }

    @Test
    void setOverridesWinOverTheFileAndLaterOnesWin() throws IOException {
        Path f = write("a.conf", "train { epochs = 7 }\nmodel.backbones = [vgg16]\n");
        JobConfig c = JobConfig.load(f, List.of("train.epochs=9", "train.learning-rate=1e-3",
                "model.methods=kpff, none", "data.uri=hdfs://nn:8020/data//ucm", "train.epochs = 11",
                "model.fusion-init=RANDOM", "data.augment=yes"));
        assertEquals(11, c.train().epochs());
        assertEquals(1e-3, c.train().learningRate());
        assertEquals(List.of("vgg16"), c.backbones());
        assertEquals(List.of(FusionMethod.KPFF, FusionMethod.NONE), c.methods());
        assertEquals("hdfs://nn:8020/data//ucm", c.requireDataUri());
        assertEquals(FusionInit.RANDOM, c.fusionInit());
        assertTrue(c.data().augment());
        assertEquals(List.of("vgg16", "alexnet"),
                JobConfig.parse("", "t", List.of("model.backbones=[vgg16, alexnet]")).backbones());
    }

    @Test
    void missingDataUriIsReportedWhenNeeded() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> JobConfig.fromEmbeddedDefaults().requireDataUri());
        assertTrue(e.getMessage().contains("--data"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "data.input-size = 8          | data.input-size = 8: must be an integer >= 16",
        "data.input-size = 22.5       | data.input-size = 22.5: must be an integer >= 16 (not an integer)",
        "data.folds = five            | data.folds = \"five\": must be an integer >= 2 (not an integer)",
        "data.folds = 1               | data.folds = 1: must be an integer >= 2",
        "data.normalization = zscore  | data.normalization = \"zscore\": must be one of train-fold, fixed ('zscore' is not allowed)",
        "data.augment = maybe         | data.augment = \"maybe\": must be true or false",
        "data.uri = 3                 | data.uri = 3: must be a string",
        "data.fold-seed = 1.5         | data.fold-seed = 1.5: must be an integer (64-bit) (not an integer)",
        "model.backbones = [alexnet, resnet] | model.backbones = [\"alexnet\",\"resnet\"]: must be a non-empty list of distinct values from alexnet, vgg16, inception ('resnet' is not allowed)",
        "model.backbones = [vgg]      | model.backbones = [\"vgg\"]: must be a non-empty list of distinct values from alexnet, vgg16, inception ('vgg' is not allowed; did you mean 'vgg16'?)",
        "model.backbones = []         | model.backbones = []: must be a non-empty list of distinct values from alexnet, vgg16, inception (the list is empty)",
        "model.methods = [kpff, KPFF] | model.methods = [\"kpff\",\"KPFF\"]: must be a non-empty list of distinct values from none, add, concat, kpff ('kpff' is listed twice)",
        "model.width = 0              | model.width = 0: must be a number in (0, 4]",
        "model.width = 4.5            | model.width = 4.5: must be a number in (0, 4]",
        "model.fusion-init = zero     | model.fusion-init = \"zero\": must be one of identity, add, random ('zero' is not allowed)",
        "train.learning-rate = 0      | train.learning-rate = 0: must be a finite number > 0",
        "model.fusion-lr-scale = 0    | model.fusion-lr-scale = 0: must be a finite number > 0",
        "model.fusion-lr-scale = -3   | model.fusion-lr-scale = -3: must be a finite number > 0",
        "train.weight-decay = -1e-4   | train.weight-decay = -1.0E-4: must be a finite number >= 0",
        "train.dropout = 1            | train.dropout = 1: must be a number in [0, 1)",
        "train.epochs = 0             | train.epochs = 0: must be an integer >= 1",
        "eval.every = {a = 1}         | eval.every = {\"a\":1}: must be an integer >= 1 (not an integer)",
        "run.mode = cluster           | run.mode = \"cluster\": must be one of local, data-parallel ('cluster' is not allowed)",
        "run.max-concurrent-cells = -1 | run.max-concurrent-cells = -1: must be an integer >= 0",
        "run.data-parallel.master = shared | run.data-parallel.master = \"shared\": must be one of parameter-averaging ('shared' is not allowed)",
        "run.data-parallel.workers = -2 | run.data-parallel.workers = -2: must be an integer >= 0",
        "run.data-parallel.averaging-frequency = 0 | run.data-parallel.averaging-frequency = 0: must be an integer >= 1",
        "data.uri = null              | data.uri = null: must be a string",
    })
    void badValuesNameKeyValueAndWhatIsAllowed(String hocon, String expected) {
        ConfigValidationException e = invalid(hocon);
        assertEquals(1, e.errors().size(), e.getMessage());
        assertEquals(expected, e.errors().get(0).replaceAll(" \\[test\\.conf: \\d+]$", ""));
        assertTrue(e.errors().get(0).endsWith("[test.conf: 1]") || hocon.contains("null"), e.errors().get(0));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "train.learning_rate = 0.1 | unknown key 'train.learning_rate' [test.conf: 1]; did you mean 'train.learning-rate'?",
        "model.backbone = [vgg16]  | unknown key 'model.backbone' [test.conf: 1]; did you mean 'model.backbones'?",
        "epochs = 3                | unknown key 'epochs' [test.conf: 1]; did you mean 'train.epochs'?",
        "trian { epochs = 3 }      | unknown key 'trian.epochs' [test.conf: 1]; did you mean 'train.epochs'?",
        "search.strategi = random  | unknown key 'search.strategi' [test.conf: 1]; did you mean 'search.strategy'?",
        "eval.zzzzzzzzzzzz = 1     | unknown key 'eval.zzzzzzzzzzzz' [test.conf: 1]; the keys of section eval are eval.every",
        "model.widht = 2           | unknown key 'model.widht' [test.conf: 1]; did you mean 'model.width'?",
        "train.lr = 0.1            | unknown key 'train.lr' [test.conf: 1]; the keys of section train are train.epochs, train.batch-size, train.learning-rate, train.weight-decay, train.dropout, train.seed",
        "colour = red              | unknown key 'colour' [test.conf: 1]; the sections are data, model, train, eval, run, search",
    })
    void unknownKeysAreErrorsWithASuggestion(String hocon, String expected) {
        assertEquals(List.of(expected), invalid(hocon).errors());
    }

    @Test
    void allErrorsAreReportedTogether() throws IOException {
        Path f = write("bad.conf", String.join("\n",
                "data { folds = 1, input-size = 8 }",
                "model.widht = 2",
                "train.dropout = 1.5"));
        ConfigValidationException e = assertThrows(ConfigValidationException.class,
                () -> JobConfig.load(f, List.of("train.epochs=-3", "run.mode=fast", "nonsense", "eval.evry=2")));
        List<String> errors = e.errors();
        assertEquals(8, errors.size(), e.getMessage());
        assertTrue(errors.contains("--set 'nonsense': must be key=value, e.g. train.epochs=10"), e.getMessage());
        assertTrue(errors.contains("unknown key 'eval.evry' [--set]; did you mean 'eval.every'?"), e.getMessage());
        assertTrue(errors.contains("unknown key 'model.widht' [" + f + ": 2]; did you mean 'model.width'?"),
                e.getMessage());
        assertTrue(errors.contains("data.folds = 1: must be an integer >= 2 [" + f + ": 1]"), e.getMessage());
        assertTrue(errors.contains("data.input-size = 8: must be an integer >= 16 [" + f + ": 1]"), e.getMessage());
        assertTrue(errors.contains("train.dropout = 1.5: must be a number in [0, 1) [" + f + ": 3]"), e.getMessage());
        assertTrue(errors.contains("train.epochs = -3: must be an integer >= 1 [--set train.epochs]"), e.getMessage());
        assertTrue(errors.contains("run.mode = \"fast\": must be one of local, data-parallel ('fast' is not allowed)"
                + " [--set run.mode]"), e.getMessage());
        assertTrue(e.getMessage().startsWith("Invalid job config (8 errors):"), e.getMessage());
    }

    @Test
    void unreadableInputsAreErrors() {
        ConfigValidationException missing = assertThrows(ConfigValidationException.class,
                () -> JobConfig.load(tmp.resolve("nope.conf"), List.of("zzz=1")));
        assertEquals(2, missing.errors().size(), missing.getMessage());
        assertTrue(missing.errors().get(0).contains("nope.conf: does not exist"), missing.getMessage());

        ConfigValidationException syntax = invalid("data { folds = ");
        assertTrue(syntax.errors().get(0).startsWith("test.conf: cannot be parsed"), syntax.getMessage());
    }

    @Test
    void fingerprintIsStableAndTracksResultDefiningKeys() {
        JobConfig base = JobConfig.fromEmbeddedDefaults();
        String fp = base.fingerprint();
        assertTrue(fp.matches("[0-9a-f]{16}"), fp);
        assertEquals(fp, JobConfig.fromEmbeddedDefaults().fingerprint());
        // the same values spelled differently give the same fingerprint
        assertEquals(fp, JobConfig.parse("train { learning-rate = 0.0001, epochs = \"200\" }", "t", List.of())
                .fingerprint());
        // result-defining keys change it
        for (String set : List.of("train.learning-rate=2e-4", "train.seed=43", "data.fold-seed=1", "data.folds=10",
                "model.fusion-init=add", "eval.every=5", "run.mode=data-parallel", "data.strict=false")) {
            assertNotEquals(fp, JobConfig.parse("", "t", List.of(set)).fingerprint(), set);
        }
        // the data-parallel keys define results in data-parallel mode only
        String dp = JobConfig.parse("", "t", List.of("run.mode=data-parallel")).fingerprint();
        for (String set : List.of("run.data-parallel.workers=4", "run.data-parallel.averaging-frequency=1")) {
            assertNotEquals(dp, JobConfig.parse("", "t", List.of("run.mode=data-parallel", set)).fingerprint(), set);
            assertEquals(fp, JobConfig.parse("", "t", List.of(set)).fingerprint(), set);
        }
        // model.fusion-lr-scale enters only when it is not 1, so runs from before the key keep their fingerprint:
        // 57b0a21e1f311dd8 and 1a2ce79ca001b7d5 are the defaults' and smoke.conf's fingerprints before it existed
        assertEquals("57b0a21e1f311dd8", fp);
        assertEquals("1a2ce79ca001b7d5", JobConfig.load(CONF.resolve("smoke.conf"), List.of()).fingerprint());
        assertEquals(fp, JobConfig.parse("", "t", List.of("model.fusion-lr-scale=1.0")).fingerprint());
        assertNotEquals(fp, JobConfig.parse("", "t", List.of("model.fusion-lr-scale=10")).fingerprint());
        // location, grid extent and operational keys do not
        for (String set : List.of("data.uri=/elsewhere", "model.backbones=vgg16", "model.methods=kpff,none",
                "run.max-concurrent-cells=3", "run.checkpoint=false")) {
            assertEquals(fp, JobConfig.parse("", "t", List.of(set)).fingerprint(), set);
        }
    }

    @Test
    void dataParallelKeysAreReadAndConcurrentCellsAreRefusedInDataParallelMode() {
        JobConfig dp = JobConfig.parse("run { mode = data-parallel, data-parallel { workers = 3, "
                + "averaging-frequency = 2 } }", "t", List.of());
        assertEquals(new RunConfig(RunMode.DATA_PARALLEL, 0, true,
                new DataParallelConfig(TrainingMasterKind.PARAMETER_AVERAGING, 3, 2)), dp.run());
        assertEquals(dp, JobConfig.parse(dp.renderResolved(), "resolved", List.of()), "the resolved config reloads");
        assertEquals(1, JobConfig.parse("", "t", List.of("run.mode=data-parallel", "run.max-concurrent-cells=1"))
                .run().maxConcurrentCells());
        ConfigValidationException e = assertThrows(ConfigValidationException.class, () -> JobConfig.parse("", "t",
                List.of("run.mode=data-parallel", "run.max-concurrent-cells=4", "run.data-parallel.workers=-1")));
        assertEquals(List.of("run.data-parallel.workers = -1: must be an integer >= 0 [--set run.data-parallel.workers]",
                "run.max-concurrent-cells = 4: must be 0 or 1 with run.mode = data-parallel (each cell is trained over "
                        + "all executors, so cells run one after another)"), e.errors());
        // Local mode keeps running cells side by side.
        assertEquals(4, JobConfig.parse("", "t", List.of("run.max-concurrent-cells=4")).run().maxConcurrentCells());
    }

    @Test
    void differencesListEveryDifferingKey() {
        JobConfig a = JobConfig.fromEmbeddedDefaults();
        JobConfig b = JobConfig.parse("", "t", List.of("train.epochs=3", "run.checkpoint=false", "train.seed=7"));
        assertEquals(List.of(
                new ConfigDifference("run.checkpoint", "true", "false", false),
                new ConfigDifference("train.epochs", "200", "3", true),
                new ConfigDifference("train.seed", "42", "7", true)), a.differences(b));
        assertEquals(List.of("run.checkpoint", "train.epochs", "train.seed"), a.differingKeys(b));
        assertEquals(List.of(), a.differingKeys(JobConfig.fromEmbeddedDefaults()));
        assertEquals("train.epochs: 200 -> 3", a.differences(b).get(1).toString());
    }

    @Test
    void resolvedRenderingReadsBackToAnEqualConfig() {
        JobConfig c = JobConfig.parse("", "t", List.of("model.backbones=inception,alexnet", "train.weight-decay=0",
                "data.uri=s3a://bucket/ucm", "model.width=0.125"));
        String text = c.renderResolved();
        assertTrue(text.contains("\"learning-rate\" : 1.0E-4"), text);
        assertEquals(c, JobConfig.parse(text, "resolved", List.of()));
        assertEquals(c.fingerprint(), JobConfig.parse(text, "resolved", List.of()).fingerprint());
        assertEquals(text, JobConfig.parse(text, "resolved", List.of()).renderResolved());
    }

    @Test
    void withOverridesValidatesAndCanonicalizes() {
        JobConfig base = JobConfig.fromEmbeddedDefaults();
        JobConfig c = base.withOverrides(Map.of("train.learning-rate", "1e-3", "model.width", "0.5"));
        assertEquals(1e-3, c.train().learningRate());
        assertEquals(0.5, c.model().width());
        assertEquals(base.train().epochs(), c.train().epochs());
        ConfigValidationException e = assertThrows(ConfigValidationException.class,
                () -> base.withOverrides(Map.of("train.dropout", "2", "train.lr", "1")));
        assertEquals(2, e.errors().size(), e.getMessage());
        assertEquals("0.0001", ConfigKeys.canonicalize("train.learning-rate", "1e-4"));
        assertEquals("alexnet,vgg16", ConfigKeys.canonicalize("model.backbones", "ALEXNET, vgg16"));
        assertEquals("1", ConfigKeys.canonicalize("model.width", "1.0"));
    }

    @Test
    void markdownListsEveryKey() {
        String md = ConfigDocs.markdown();
        assertTrue(md.startsWith("| key | type | default | allowed | doc |\n|---|---|---|---|---|\n"), md);
        for (String name : ConfigKeys.names()) {
            assertTrue(md.contains("| `" + name + "` |"), name);
        }
        assertTrue(md.contains("| `train.learning-rate` | double | `0.0001` | a finite number > 0 | Adam learning rate."
                + " May vary per hyperparameter point. |"), md);
        assertTrue(md.contains("| `data.uri` | string | `\"\"` | a string |"), md);
        assertTrue(md.contains("| `search.strategy` | enum | `none` | one of none, grid, random, asha, hyperband, tpe |"), md);
        assertEquals(ConfigKeys.ALL.size() + 2, md.split("\n").length);
        assertFalse(ConfigKeys.ALL.stream().anyMatch(k -> k.doc().isBlank()));
    }
}
