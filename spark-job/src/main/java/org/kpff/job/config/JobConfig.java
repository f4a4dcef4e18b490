package org.kpff.job.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;

/**
 * The validated, immutable job configuration: one typed value per {@linkplain ConfigKeys declared key}, also viewed
 * as one record per section ({@link #data()}, {@link #model()}, {@link #train()}, {@link #eval()}, {@link #run()}).
 *
 * <p>A config is built from three layers, a later one winning: the built-in defaults (the paper's protocol), a HOCON
 * file or classpath resource, and {@code key=value} overrides (the command line's {@code --set}). Every key and value
 * is checked before anything else happens; all problems are reported together in one
 * {@link ConfigValidationException}.
 */
public final class JobConfig implements Serializable {

    /** Classpath resource of the smoke config (a copy of {@code conf/smoke.conf} made by the build). */
    public static final String SMOKE_RESOURCE = "conf/smoke.conf";
    /** Classpath resource of the paper config (a copy of {@code conf/paper.conf} made by the build). */
    public static final String PAPER_RESOURCE = "conf/paper.conf";

    /** Bumped whenever the fingerprint's text changes meaning, so that old and new fingerprints never match. */
    private static final String FINGERPRINT_VERSION = "kpff-job-config-fingerprint/v1";

    private final Map<String, Object> values;
    private final DataConfig data;
    private final ModelConfig model;
    private final TrainConfig train;
    private final EvalConfig eval;
    private final RunConfig run;
    private final SearchConfig search;

    /** Built by {@link ConfigLoader} from values that have all been read and checked. */
    JobConfig(Map<String, Object> checkedValues) {
        Map<String, Object> v = new LinkedHashMap<>();
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            v.put(k.name(), Objects.requireNonNull(checkedValues.get(k.name()), k.name()));
        }
        this.values = Collections.unmodifiableMap(v);
        this.data = new DataConfig(get(ConfigKeys.DATA_URI), get(ConfigKeys.DATA_INPUT_SIZE),
                get(ConfigKeys.DATA_FOLDS), get(ConfigKeys.DATA_NORMALIZATION), get(ConfigKeys.DATA_AUGMENT),
                get(ConfigKeys.DATA_STRICT), get(ConfigKeys.DATA_FOLD_SEED));
        this.model = new ModelConfig(get(ConfigKeys.MODEL_BACKBONES), get(ConfigKeys.MODEL_METHODS),
                get(ConfigKeys.MODEL_WIDTH), get(ConfigKeys.MODEL_PROJECTION_WIDTH), get(ConfigKeys.MODEL_FUSION_INIT),
                get(ConfigKeys.MODEL_BATCH_NORM), get(ConfigKeys.MODEL_FUSION_LR_SCALE));
        this.train = new TrainConfig(get(ConfigKeys.TRAIN_EPOCHS), get(ConfigKeys.TRAIN_BATCH_SIZE),
                get(ConfigKeys.TRAIN_LEARNING_RATE), get(ConfigKeys.TRAIN_WEIGHT_DECAY), get(ConfigKeys.TRAIN_DROPOUT),
                get(ConfigKeys.TRAIN_SEED));
        this.eval = new EvalConfig(get(ConfigKeys.EVAL_EVERY));
        this.run = new RunConfig(get(ConfigKeys.RUN_MODE), get(ConfigKeys.RUN_MAX_CONCURRENT_CELLS),
                get(ConfigKeys.RUN_CHECKPOINT), new DataParallelConfig(get(ConfigKeys.RUN_DATA_PARALLEL_MASTER),
                        get(ConfigKeys.RUN_DATA_PARALLEL_WORKERS),
                        get(ConfigKeys.RUN_DATA_PARALLEL_AVERAGING_FREQUENCY)));
        this.search = new SearchConfig(get(ConfigKeys.SEARCH_STRATEGY), get(ConfigKeys.SEARCH_TRIALS),
                get(ConfigKeys.SEARCH_SEED), get(ConfigKeys.SEARCH_ETA), get(ConfigKeys.SEARCH_MIN_EPOCHS),
                get(ConfigKeys.SEARCH_SPACE), get(ConfigKeys.SEARCH_NESTED), get(ConfigKeys.SEARCH_TPE_STARTUP_TRIALS),
                get(ConfigKeys.SEARCH_TPE_IN_FLIGHT), get(ConfigKeys.SEARCH_FOLD_PRUNING),
                get(ConfigKeys.SEARCH_FOLD_PRUNING_ALPHA), get(ConfigKeys.SEARCH_BUDGET),
                get(ConfigKeys.SEARCH_BRACKETS));
    }

    // ---------------------------------------------------------------- loading

    /**
     * Loads a HOCON (or JSON) file over the built-in defaults, then applies {@code key=value} overrides in order.
     *
     * @param file      the config file; HOCON {@code include}s are resolved relative to it
     * @param overrides {@code key=value} texts as given to {@code --set}; values are HOCON ({@code 1e-4},
     *                  {@code [alexnet, vgg16]}) or plain text ({@code alexnet,vgg16})
     * @throws ConfigValidationException with every problem found: unreadable file, unknown keys, bad values
     */
    public static JobConfig load(Path file, List<String> overrides) {
        List<String> errors = new ArrayList<>();
        Config source = ConfigFactory.empty();
        if (!Files.isRegularFile(file)) {
            errors.add("config file " + file + ": does not exist or is not a regular file");
        } else {
            try {
                source = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                errors.add("config file " + file + ": cannot be parsed: " + e.getMessage());
            }
        }
        return ConfigLoader.load(source, ConfigLoader.parseOverrides(overrides, "--set", errors), errors);
    }

    /**
     * Loads a config from a classpath resource (e.g. {@link #SMOKE_RESOURCE}), then applies overrides.
     *
     * @throws ConfigValidationException with every problem found, including a missing resource
     */
    public static JobConfig loadResource(String resource, List<String> overrides) {
        List<String> errors = new ArrayList<>();
        Config source = ConfigFactory.empty();
        try {
            source = ConfigFactory.parseResources(JobConfig.class.getClassLoader(), resource,
                    ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            errors.add("config resource " + resource + ": cannot be read: " + e.getMessage());
        }
        return ConfigLoader.load(source, ConfigLoader.parseOverrides(overrides, "--set", errors), errors);
    }

    /**
     * Parses HOCON text over the built-in defaults, then applies overrides; useful for configs stored in
     * {@code run.json} and in tests.
     *
     * @param origin how error messages name the text, e.g. a file name
     * @throws ConfigValidationException with every problem found
     */
    public static JobConfig parse(String hocon, String origin, List<String> overrides) {
        List<String> errors = new ArrayList<>();
        Config source = ConfigFactory.empty();
        try {
            source = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults().setOriginDescription(origin));
        } catch (ConfigException e) {
            errors.add(origin + ": cannot be parsed: " + e.getMessage());
        }
        return ConfigLoader.load(source, ConfigLoader.parseOverrides(overrides, "--set", errors), errors);
    }

    /** The built-in defaults alone: the paper's protocol, with an empty {@code data.uri}. */
    public static JobConfig fromEmbeddedDefaults() {
        return ConfigLoader.load(ConfigFactory.empty(), List.of(), new ArrayList<>());
    }

    /**
     * This config with some keys overridden (e.g. a hyperparameter point); values are raw texts as for {@code --set}.
     *
     * @throws ConfigValidationException naming every unknown key and bad value
     */
    public JobConfig withOverrides(Map<String, String> overrides) {
        if (overrides.isEmpty()) {
            return this;
        }
        List<ConfigLoader.Override> list = new ArrayList<>();
        overrides.forEach((k, v) -> list.add(new ConfigLoader.Override(k, v, "override")));
        return ConfigLoader.load(toHocon(), list, new ArrayList<>());
    }

    /**
     * This config with the {@code search.*} keys at their defaults (no search): the config a search's cells are
     * built from, since a cell's point may set keys (such as {@code train.epochs} for a rung) that the search
     * section's checks constrain.
     */
    public JobConfig withoutSearch() {
        if (!search.enabled()) {
            return this;
        }
        Map<String, Object> v = new LinkedHashMap<>(values);
        for (ConfigKey<?> k : ConfigKeys.of(Section.SEARCH)) {
            v.put(k.name(), k.defaultValue());
        }
        return new JobConfig(v);
    }

    // ---------------------------------------------------------------- typed access

    /** The typed value of a declared key. */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigKey<T> key) {
        return (T) values.get(key.name());
    }

    /** The {@code data.*} section. */
    public DataConfig data() {
        return data;
    }

    /** The {@code model.*} section. */
    public ModelConfig model() {
        return model;
    }

    /** The {@code train.*} section. */
    public TrainConfig train() {
        return train;
    }

    /** The {@code eval.*} section. */
    public EvalConfig eval() {
        return eval;
    }

    /** The {@code run.*} section. */
    public RunConfig run() {
        return run;
    }

    /** The {@code search.*} section. */
    public SearchConfig search() {
        return search;
    }

    /** Shorthand for {@code model().backbones()}. */
    public List<String> backbones() {
        return model.backbones();
    }

    /** Shorthand for {@code model().methods()}. */
    public List<FusionMethod> methods() {
        return model.methods();
    }

    /** Shorthand for {@code model().fusionInit()}. */
    public FusionInit fusionInit() {
        return model.fusionInit();
    }

    /**
     * The dataset URI.
     *
     * @throws IllegalStateException if {@code data.uri} is empty and so was never given
     */
    public String requireDataUri() {
        if (data.uri().isBlank()) {
            throw new IllegalStateException("data.uri is empty: give the dataset with --data <uri> or set data.uri "
                    + "in the config.");
        }
        return data.uri();
    }

    // ---------------------------------------------------------------- provenance

    /** Every key's canonical text, sorted by key name. */
    public SortedMap<String, String> canonicalValues() {
        SortedMap<String, String> out = new TreeMap<>();
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            out.put(k.name(), canonical(k));
        }
        return Collections.unmodifiableSortedMap(out);
    }

    private <T> String canonical(ConfigKey<T> key) {
        return key.canonical(get(key));
    }

    /**
     * The fully resolved config as formatted JSON (which is also valid HOCON, so {@link #parse} reads it back to an
     * equal config). Written into each run folder.
     */
    public String renderResolved() {
        return toHocon().root().render(ConfigRenderOptions.concise().setJson(true).setFormatted(true));
    }

    /**
     * The resolved config without the {@code search} section, as formatted JSON (valid HOCON) after the given
     * comment lines: a config the {@code run} subcommand accepts, e.g. a search's {@code best.conf}.
     */
    public String renderRunnable(List<String> comments) {
        StringBuilder sb = new StringBuilder();
        comments.forEach(c -> sb.append("# ").append(c).append('\n'));
        Map<String, Object> m = new LinkedHashMap<>();
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            if (k.section() != Section.SEARCH) {
                m.put(k.name(), plain(k));
            }
        }
        return sb.append(ConfigFactory.parseMap(m, "runnable config").root()
                .render(ConfigRenderOptions.concise().setJson(true).setFormatted(true))).append('\n').toString();
    }

    private Config toHocon() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (ConfigKey<?> k : ConfigKeys.ALL) {
            m.put(k.name(), plain(k));
        }
        return ConfigFactory.parseMap(m, "resolved config");
    }

    private <T> Object plain(ConfigKey<T> key) {
        return key.plain(get(key));
    }

    /**
     * A stable hash of the values that define results: the first 16 hex digits of SHA-256 over a version line and
     * {@code key=canonical value} lines, sorted by key, of every key with {@link ConfigKey#definesResults()}.
     * Left out are the data location ({@code data.uri}: a dataset may move), the grid's extent
     * ({@code model.backbones}, {@code model.methods}: a resumed run may add or drop cells without changing any
     * committed cell) and purely operational keys ({@code run.max-concurrent-cells}, {@code run.checkpoint}).
     * The {@code search.*} keys enter only when a search is configured, so a plain run's fingerprint does not
     * depend on them; likewise the {@code run.data-parallel.*} keys enter only in data-parallel mode, and
     * {@code model.fusion-lr-scale} only when it is not 1 (runs from before the key existed trained W at scale 1
     * and keep their fingerprint, so they stay resumable).
     * {@code --resume} refuses a config whose fingerprint differs.
     */
    public String fingerprint() {
        StringBuilder text = new StringBuilder(FINGERPRINT_VERSION).append('\n');
        SortedMap<String, String> canonical = canonicalValues();
        ConfigKeys.ALL.stream().filter(ConfigKey::definesResults)
                .filter(k -> search.enabled() || k.section() != Section.SEARCH)
                .filter(k -> run.mode() == RunMode.DATA_PARALLEL || !k.name().startsWith("run.data-parallel."))
                .filter(k -> k != ConfigKeys.MODEL_FUSION_LR_SCALE || model.fusionLrScale() != 1.0)
                .map(ConfigKey::name).sorted()
                .forEach(name -> text.append(name).append('=').append(canonical.get(name)).append('\n'));
        return HexFormat.of().formatHex(org.kpff.core.Seeds.sha256(text.toString()), 0, 8);
    }

    /** Every key whose value differs from {@code other}'s, sorted by key name. */
    public List<ConfigDifference> differences(JobConfig other) {
        SortedMap<String, String> mine = canonicalValues();
        SortedMap<String, String> theirs = other.canonicalValues();
        List<ConfigDifference> out = new ArrayList<>();
        for (Map.Entry<String, String> e : mine.entrySet()) {
            String o = theirs.get(e.getKey());
            if (!e.getValue().equals(o)) {
                out.add(new ConfigDifference(e.getKey(), e.getValue(), o,
                        ConfigKeys.byName(e.getKey()).orElseThrow().definesResults()));
            }
        }
        return List.copyOf(out);
    }

    /** The names of the keys whose values differ from {@code other}'s, sorted. */
    public List<String> differingKeys(JobConfig other) {
        return differences(other).stream().map(ConfigDifference::key).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobConfig other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "JobConfig" + canonicalValues();
    }
}
