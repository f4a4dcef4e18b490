package org.kpff.job.config;

import org.kpff.core.data.NormalizationSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;

/**
 * The registry of job-config keys: every key is declared here once, with type, default (the paper's protocol),
 * allowed values and a doc line. Nothing else in the project names a default.
 */
public final class ConfigKeys {

    /** The backbone names the job knows, in the paper's column order. */
    public static final List<String> BACKBONES = List.of("alexnet", "vgg16", "inception");

    // ---------------------------------------------------------------- data

    /** Dataset location: a Hadoop FileSystem URI of a folder with one sub-folder of images per class. */
    public static final ConfigKey<String> DATA_URI = ConfigKey.ofString("data.uri", "",
            "Dataset folder (any Hadoop FileSystem URI) with one sub-folder of images per class; empty means "
                    + "it must come from the command line (--data).").notDefiningResults();
    /** Square input side in pixels. */
    public static final ConfigKey<Integer> DATA_INPUT_SIZE = ConfigKey.ofInt("data.input-size", 224, 16,
            Integer.MAX_VALUE, "Images are resized to this square side in pixels.").perPoint();
    /** Number of cross-validation folds. */
    public static final ConfigKey<Integer> DATA_FOLDS = ConfigKey.ofInt("data.folds", 5, 2, Integer.MAX_VALUE,
            "Number of stratified cross-validation folds k; every fold is held out once.");
    /** Input normalisation. */
    public static final ConfigKey<NormalizationSource> DATA_NORMALIZATION = ConfigKey.ofChoice("data.normalization",
            List.of(NormalizationSource.values()), NormalizationSource::id, NormalizationSource.TRAIN_FOLD,
            "train-fold: per-channel mean/std of each cell's training folds; fixed: constant ImageNet mean/std.")
            .perPoint();
    /** Training-time augmentation. */
    public static final ConfigKey<Boolean> DATA_AUGMENT = ConfigKey.ofBoolean("data.augment", false,
            "Random horizontal and vertical flips and shifts of up to S/16 pixels of training images (the paper uses none).").perPoint();
    /** Corrupt images fail the run (before anything is written) instead of being skipped. */
    public static final ConfigKey<Boolean> DATA_STRICT = ConfigKey.ofBoolean("data.strict", true,
            "true: an image that cannot be decoded fails the run before anything is written, naming the file; "
                    + "false: it is skipped with a warning and listed in run.json.");
    /** Seed of the stratified fold assignment. */
    public static final ConfigKey<Long> DATA_FOLD_SEED = ConfigKey.ofLong("data.fold-seed", 42L,
            "Seed of the stratified fold assignment; the same for every cell so that folds are paired.");

    // ---------------------------------------------------------------- model

    /** Backbones of the grid. */
    public static final ConfigKey<List<String>> MODEL_BACKBONES = ConfigKey.ofChoiceList("model.backbones",
            BACKBONES, b -> b, BACKBONES,
            "Backbones of the grid, trained from scratch (the paper's AlexNet, VGGNet, Inception). A search space may"
                    + " list single backbones to choose from.")
            .notDefiningResults().perPoint();
    /** Fusion methods of the grid. */
    public static final ConfigKey<List<FusionMethod>> MODEL_METHODS = ConfigKey.ofChoiceList("model.methods",
            List.of(FusionMethod.values()), FusionMethod::id, List.of(FusionMethod.values()),
            "Fusion heads of the grid: none (original network), add, concat, kpff. A search space may list single"
                    + " methods to choose from.").notDefiningResults().perPoint();
    /** Backbone width multiplier. */
    public static final ConfigKey<Double> MODEL_WIDTH = ConfigKey.ofDouble("model.width", 1.0, 0, false, 4, true,
            "Multiplier on every backbone's channel counts; 1 is the published size.").perPoint();
    /** Width r the taps are projected to. */
    public static final ConfigKey<Integer> MODEL_PROJECTION_WIDTH = ConfigKey.ofInt("model.projection-width", 256, 1,
            Integer.MAX_VALUE, "r: every tap is pooled and projected to this width before fusion.").perPoint();
    /** Initial KPFF mixing matrix. */
    public static final ConfigKey<FusionInit> MODEL_FUSION_INIT = ConfigKey.ofChoice("model.fusion-init",
            List.of(FusionInit.values()), FusionInit::id, FusionInit.IDENTITY,
            "Initial KPFF matrix W: identity (starts as Concat), add (starts as Add), random (N(0, 1/n)).")
            .perPoint();
    /** W's learning rate relative to the others. */
    public static final ConfigKey<Double> MODEL_FUSION_LR_SCALE = ConfigKey.ofDouble("model.fusion-lr-scale", 1.0, 0,
            false, Double.POSITIVE_INFINITY, false, "KPFF only: W's Adam learning rate is this times "
                    + "train.learning-rate (Adam moves a parameter by about one learning rate per step, so at 1 W "
                    + "stays near its start on a small budget); 1 is the paper. In the fingerprint only when not 1.")
            .perPoint();
    /** Batch normalisation after every backbone convolution. */
    public static final ConfigKey<Boolean> MODEL_BATCH_NORM = ConfigKey.ofBoolean("model.batch-norm", true,
            "Batch normalisation after every backbone convolution.").perPoint();

    // ---------------------------------------------------------------- train

    /** Training epochs. */
    public static final ConfigKey<Integer> TRAIN_EPOCHS = ConfigKey.ofInt("train.epochs", 200, 1, Integer.MAX_VALUE,
            "Training epochs per cell.").perPoint();
    /** Minibatch size. */
    public static final ConfigKey<Integer> TRAIN_BATCH_SIZE = ConfigKey.ofInt("train.batch-size", 50, 1,
            Integer.MAX_VALUE, "Minibatch size.").perPoint();
    /** Adam learning rate. */
    public static final ConfigKey<Double> TRAIN_LEARNING_RATE = ConfigKey.ofDouble("train.learning-rate", 1e-4, 0,
            false, Double.POSITIVE_INFINITY, false, "Adam learning rate.").perPoint();
    /** Weight decay. */
    public static final ConfigKey<Double> TRAIN_WEIGHT_DECAY = ConfigKey.ofDouble("train.weight-decay", 5e-4, 0,
            true, Double.POSITIVE_INFINITY, false, "Weight decay coefficient.").perPoint();
    /** Dropout before the classifier. */
    public static final ConfigKey<Double> TRAIN_DROPOUT = ConfigKey.ofDouble("train.dropout", 0.5, 0, true, 1, false,
            "Dropout probability before the classifier.").perPoint();
    /** The run seed every cell seed derives from. */
    public static final ConfigKey<Long> TRAIN_SEED = ConfigKey.ofLong("train.seed", 42L,
            "Run seed; each cell's seed is derived from it and the cell's identity.").perPoint();

    // ---------------------------------------------------------------- eval

    /** Evaluation period. */
    public static final ConfigKey<Integer> EVAL_EVERY = ConfigKey.ofInt("eval.every", 10, 1, Integer.MAX_VALUE,
            "Evaluate on the held-out fold every this many epochs; the last epoch is always evaluated.").perPoint();

    // ---------------------------------------------------------------- run

    /** Execution mode. */
    public static final ConfigKey<RunMode> RUN_MODE = ConfigKey.ofChoice("run.mode", List.of(RunMode.values()),
            RunMode::id, RunMode.LOCAL,
            "local: one cell per GPU task, cells side by side; data-parallel: each cell trained over all executors.");
    /** Cap on cells in flight. */
    public static final ConfigKey<Integer> RUN_MAX_CONCURRENT_CELLS = ConfigKey.ofInt("run.max-concurrent-cells", 0,
            0, Integer.MAX_VALUE, "Most cells in flight at once; 0 means as many as the cluster has GPU (or task) "
                    + "slots.").notDefiningResults();
    /** Checkpointing for resume. */
    public static final ConfigKey<Boolean> RUN_CHECKPOINT = ConfigKey.ofBoolean("run.checkpoint", true,
            "Checkpoint every evaluation so that a retried cell resumes instead of restarting.").notDefiningResults();

    /** Training master of data-parallel cells. */
    public static final ConfigKey<TrainingMasterKind> RUN_DATA_PARALLEL_MASTER = ConfigKey.ofChoice(
            "run.data-parallel.master", List.of(TrainingMasterKind.values()), TrainingMasterKind::id,
            TrainingMasterKind.PARAMETER_AVERAGING, "data-parallel mode: the dl4j-spark training master; "
                    + "parameter-averaging averages parameters and Adam state after every averaging round.");
    /** Workers of a data-parallel cell. */
    public static final ConfigKey<Integer> RUN_DATA_PARALLEL_WORKERS = ConfigKey.ofInt("run.data-parallel.workers", 0,
            0, Integer.MAX_VALUE, "data-parallel mode: Spark tasks that train a cell at once, each on minibatches of "
                    + "train.batch-size; 0 means the cluster's GPU slots, else its task slots.");
    /** Minibatches per worker between averagings. */
    public static final ConfigKey<Integer> RUN_DATA_PARALLEL_AVERAGING_FREQUENCY = ConfigKey.ofInt(
            "run.data-parallel.averaging-frequency", 5, 1, Integer.MAX_VALUE,
            "data-parallel mode: minibatches each worker fits between two averagings (1 is synchronous SGD on "
                    + "workers x train.batch-size examples; larger values communicate less).");
    // ---------------------------------------------------------------- search

    /** Search strategy. */
    public static final ConfigKey<SearchStrategy> SEARCH_STRATEGY = ConfigKey.ofChoice("search.strategy",
            List.of(SearchStrategy.values()), SearchStrategy::id, SearchStrategy.NONE,
            "Hyperparameter search of the search subcommand: none (a plain run), grid (every point of the space's "
                    + "lists), random (search.trials draws), asha (asynchronous successive halving), hyperband (asha "
                    + "brackets starting at different rungs), tpe (tree-structured Parzen estimator; with rungs, i.e. "
                    + "search.min-epochs x search.eta <= train.epochs, it is BOHB).");
    /** Trial budget. */
    public static final ConfigKey<Integer> SEARCH_TRIALS = ConfigKey.ofInt("search.trials", 0, 0, Integer.MAX_VALUE,
            "Trials (hyperparameter points) to train; 0 means every point of a space of lists (grid, asha). "
                    + "random needs >= 1, as does asha over distributions. --resume with a larger value extends "
                    + "the search.");
    /** Seed of draws and trial order. */
    public static final ConfigKey<Long> SEARCH_SEED = ConfigKey.ofLong("search.seed", 42L,
            "Seed of the random draws and of the trial order (random, asha); the same seed gives the same trials.");
    /** ASHA reduction factor. */
    public static final ConfigKey<Integer> SEARCH_ETA = ConfigKey.ofInt("search.eta", 3, 2, Integer.MAX_VALUE,
            "asha: a trial is promoted to the next rung when its fold-mean accuracy is in the top 1/eta of its rung; "
                    + "rungs are eta times apart.");
    /** ASHA smallest budget. */
    public static final ConfigKey<Integer> SEARCH_MIN_EPOCHS = ConfigKey.ofInt("search.min-epochs", 1, 1,
            Integer.MAX_VALUE, "asha: epochs of the first rung (about); rungs at train.epochs / eta^s, ..., "
                    + "train.epochs / eta, train.epochs with s = floor(log_eta(train.epochs / min-epochs)).");
    /** Nested cross-validation of the search. */
    public static final ConfigKey<Boolean> SEARCH_NESTED = ConfigKey.ofBoolean("search.nested", false,
            "Nested cross-validation: besides the search over all folds, one inner search per outer fold on the other "
                    + "folds, whose winner is refit on them and tested once on the outer fold; the mean of those tests "
                    + "estimates the search without the optimism of choosing on the test folds. Costs about folds + 1 "
                    + "searches; needs data.folds >= 3.");
    /** TPE's random start-up trials. */
    public static final ConfigKey<Integer> SEARCH_TPE_STARTUP_TRIALS = ConfigKey.ofInt("search.tpe.startup-trials", 10,
            1, Integer.MAX_VALUE, "tpe: trials drawn at random (random search's draws) before the model proposes; "
                    + "with rungs, also the scores a rung needs before BOHB models it. Must be below search.trials.");
    /** TPE's proposal lag. */
    public static final ConfigKey<Integer> SEARCH_TPE_IN_FLIGHT = ConfigKey.ofInt("search.tpe.in-flight", 4, 1,
            Integer.MAX_VALUE, "tpe: trial t is proposed from the scores of trials 0 .. t - in-flight only (waiting for "
                    + "them), so that many trials train at once and the proposals do not depend on timing; 1 is "
                    + "sequential.");
    /** Fold-level pruning. */
    public static final ConfigKey<Boolean> SEARCH_FOLD_PRUNING = ConfigKey.ofBoolean("search.fold-pruning", false,
            "Stop a trial inside a rung, without its remaining folds, once its completed folds (in fold order) are "
                    + "worse than the rung's incumbent on the same folds by a corrected paired t-test (FoldPruner); "
                    + "saves only folds not yet started. Needs data.folds >= 3; nested, the inner searches prune "
                    + "only with data.folds >= 4.");
    /** Fold-level pruning's error rate. */
    public static final ConfigKey<Double> SEARCH_FOLD_PRUNING_ALPHA = ConfigKey.ofDouble("search.fold-pruning-alpha",
            0.05, 0, false, 1, false, "Fold pruning: the bound on the probability of pruning a trial as good as the "
                    + "incumbent (split over the looks after folds 2 .. k - 1).");
    /** The Pareto front's cost. */
    public static final ConfigKey<SearchCostKind> SEARCH_COST = ConfigKey.ofChoice("search.cost",
            List.of(SearchCostKind.values()), SearchCostKind::id, SearchCostKind.FLOPS,
            "The cost of search.md's Pareto front (accuracy against cost): flops (forward FLOPs per image of the "
                    + "trial's network, plan's cost model; deterministic) or seconds (the trial's measured training "
                    + "seconds). best.conf stays the most accurate trial.").notDefiningResults();
    /** Hyperband's brackets. */
    public static final ConfigKey<Integer> SEARCH_BRACKETS = ConfigKey.ofInt("search.brackets", 0, 0, Integer.MAX_VALUE,
            "hyperband, asha, tpe with rungs: successive-halving brackets, bracket b starting its trials at rung b "
                    + "(1 to the number of rungs); 0 means every rung's for hyperband, 1 for asha and tpe.");
    /** The search's budget in epoch-cells. */
    public static final ConfigKey<Integer> SEARCH_BUDGET = ConfigKey.ofInt("search.budget", 0, 0, Integer.MAX_VALUE,
            "Epoch-cells (one cell trained one epoch) a search may spend; 0 means no budget. A trial starts only if its "
                    + "first rung fits, a promotion only if it fits (keeping back what one trial needs to reach the last "
                    + "rung), so search.trials can be large. With search.nested, each search (over all folds, and each "
                    + "inner one) has this budget.");
    /** The searched keys. */
    public static final ConfigKey<SearchSpace> SEARCH_SPACE = ConfigKey.ofSpace("search.space",
            "Searched keys (quoted names) with a list of values or { uniform | log-uniform = [low, high] } or "
                    + "{ choice = [values] }, e.g. \"train.learning-rate\" = { log-uniform = [1e-5, 1e-1] }. "
                    + "Any key that may vary per point except train.seed.");

    /** Every key, in documentation order. */
    public static final List<ConfigKey<?>> ALL = List.of(DATA_URI, DATA_INPUT_SIZE, DATA_FOLDS, DATA_NORMALIZATION,
            DATA_AUGMENT, DATA_STRICT, DATA_FOLD_SEED, MODEL_BACKBONES, MODEL_METHODS, MODEL_WIDTH,
            MODEL_PROJECTION_WIDTH, MODEL_FUSION_INIT, MODEL_FUSION_LR_SCALE, MODEL_BATCH_NORM, TRAIN_EPOCHS, TRAIN_BATCH_SIZE,
            TRAIN_LEARNING_RATE, TRAIN_WEIGHT_DECAY, TRAIN_DROPOUT, TRAIN_SEED, EVAL_EVERY, RUN_MODE,
            RUN_MAX_CONCURRENT_CELLS, RUN_CHECKPOINT, RUN_DATA_PARALLEL_MASTER, RUN_DATA_PARALLEL_WORKERS,
            RUN_DATA_PARALLEL_AVERAGING_FREQUENCY, SEARCH_STRATEGY, SEARCH_TRIALS, SEARCH_SEED,
            SEARCH_ETA, SEARCH_MIN_EPOCHS, SEARCH_NESTED, SEARCH_TPE_STARTUP_TRIALS, SEARCH_TPE_IN_FLIGHT,
            SEARCH_FOLD_PRUNING, SEARCH_FOLD_PRUNING_ALPHA, SEARCH_BRACKETS, SEARCH_BUDGET, SEARCH_COST,
            SEARCH_SPACE);

    private static final Map<String, ConfigKey<?>> BY_NAME;

    static {
        Map<String, ConfigKey<?>> m = new LinkedHashMap<>();
        for (ConfigKey<?> k : ALL) {
            if (m.put(k.name(), k) != null) {
                throw new ExceptionInInitializerError("Config key " + k.name() + " is declared twice");
            }
        }
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private ConfigKeys() {
    }

    /** The key of that dotted name, if declared. */
    public static Optional<ConfigKey<?>> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** All declared names, in documentation order. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /** The keys a hyperparameter point may override. */
    public static List<ConfigKey<?>> perPointKeys() {
        return ALL.stream().filter(ConfigKey::isPerPoint).toList();
    }

    /** The keys a search space may name: the per-point keys except {@code train.seed}. */
    public static List<ConfigKey<?>> searchableKeys() {
        return ALL.stream().filter(k -> k.isPerPoint() && k != TRAIN_SEED).toList();
    }

    /** The keys of one section, in documentation order. */
    public static List<ConfigKey<?>> of(Section section) {
        return ALL.stream().filter(k -> k.section() == section).toList();
    }

    /**
     * The canonical text of a raw value for a key, e.g. {@code ("train.learning-rate", "1e-4")} gives "0.0001".
     *
     * @throws ConfigValidationException naming the key, the value and what is allowed, or the unknown key
     */
    public static String canonicalize(String key, String rawValue) {
        return canonicalize(byName(key).orElseThrow(() -> new ConfigValidationException(
                List.of(ConfigLoader.unknownKeyMessage(key, "a hyperparameter point")))), rawValue);
    }

    private static <T> String canonicalize(ConfigKey<T> key, String rawValue) {
        Object raw = ConfigLoader.overrideValue(key, rawValue).unwrapped();
        try {
            return key.canonical(key.read(raw));
        } catch (ConfigKey.BadValue e) {
            throw new ConfigValidationException(List.of(ConfigLoader.badValueMessage(key,
                    ConfigLoader.overrideValue(key, rawValue), e.getMessage(), null)));
        }
    }
}
