package org.kpff.job.plan;

import org.kpff.core.Seeds;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.model.CellSpec;
import org.kpff.job.config.ConfigKey;
import org.kpff.job.config.ConfigKeys;
import org.kpff.job.config.ConfigValidationException;
import org.kpff.job.config.JobConfig;

/**
 * One cell of the experiment grid: a backbone with a fusion head, trained on all folds but one and evaluated on
 * {@code fold}, under one hyperparameter point; the unit of work, of commit and of resume.
 *
 * @param id       deterministic, readable id {@code <backbone>-<method>-f<fold>-<8 hex of the hp hash>}, e.g.
 *                 {@code alexnet-kpff-f0-e3b0c442}; see {@link #idFor}
 * @param backbone backbone name (lower case letters and digits)
 * @param method   fusion method of the head
 * @param fold     the held-out fold, 0-based
 * @param hp       the hyperparameter point: config keys it overrides, with canonical values, sorted; empty for a
 *                 plain run
 * @param seed     the cell's seed, derived from the run seed and the identity; see {@link #deriveSeed}
 * @param role     cv for an ordinary cell; inner or outer in a nested search
 * @param outerFold the outer fold of a nested search's inner or outer cell (never trained on); null for cv cells
 */
public record GridCell(String id, String backbone, FusionMethod method, int fold, SortedMap<String, String> hp,
        long seed, CellRole role, Integer outerFold) implements Serializable {

    /** An ordinary cross-validation cell (role cv, no outer fold). */
    public GridCell(String id, String backbone, FusionMethod method, int fold, SortedMap<String, String> hp,
            long seed) {
        this(id, backbone, method, fold, hp, seed, CellRole.CV, null);
    }

    /** Validates the fields, that role and outer fold agree, and that the id is the one the identity gives. */
    public GridCell {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(hp, "hp");
        Objects.requireNonNull(role, "role");
        if ((role == CellRole.CV) != (outerFold == null)
                || role == CellRole.INNER && outerFold == fold || role == CellRole.OUTER && outerFold != fold) {
            throw new IllegalArgumentException("GridCell role " + role.id() + " with outerFold = " + outerFold
                    + " and fold = " + fold + ": a cv cell has no outer fold, an inner cell's fold is not its outer"
                    + " fold, an outer cell's fold is its outer fold");
        }
        if (backbone == null || !backbone.matches("[a-z0-9]+")) {
            throw new IllegalArgumentException("GridCell backbone '" + backbone
                    + "' must be a non-empty name of lower-case letters and digits");
        }
        if (fold < 0) {
            throw new IllegalArgumentException("GridCell fold = " + fold + " must be >= 0");
        }
        hp = Collections.unmodifiableSortedMap(new TreeMap<>(hp));
        String expected = outerFold == null ? idFor(backbone, method, fold, hp)
                : nestedIdFor(backbone, method, outerFold, fold, hp);
        if (!id.equals(expected)) {
            throw new IllegalArgumentException("GridCell id '" + id + "' does not match its identity; expected '"
                    + expected + "'");
        }
    }

    /**
     * The cell for an identity under a run seed; the point's values are validated and made canonical (so
     * {@code 1e-3} and {@code 0.001} give the same cell).
     *
     * @param runSeed the run seed ({@code train.seed} of the config with the point applied)
     * @throws ConfigValidationException if a point key is unknown, may not vary per point, or has a bad value
     */
    public static GridCell of(String backbone, FusionMethod method, int fold, Map<String, String> hp, long runSeed) {
        SortedMap<String, String> point = canonicalPoint(hp);
        return new GridCell(idFor(backbone, method, fold, point), backbone, method, fold, point,
                deriveSeed(runSeed, backbone, fold, point));
    }

    /**
     * A hyperparameter point with every key checked (declared and {@linkplain ConfigKey#isPerPoint() allowed to vary
     * per point}) and every value in canonical text.
     *
     * @throws ConfigValidationException listing every problem
     */
    public static SortedMap<String, String> canonicalPoint(Map<String, String> hp) {
        SortedMap<String, String> out = new TreeMap<>();
        List<String> errors = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(hp).entrySet()) {
            var key = ConfigKeys.byName(e.getKey());
            if (key.isPresent() && !key.get().isPerPoint()) {
                errors.add("hyperparameter point key '" + e.getKey() + "' cannot vary per point; allowed: "
                        + String.join(", ", ConfigKeys.perPointKeys().stream().map(ConfigKey::name).toList()));
                continue;
            }
            try {
                out.put(e.getKey(), ConfigKeys.canonicalize(e.getKey(), e.getValue()));
            } catch (ConfigValidationException ex) {
                errors.addAll(ex.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigValidationException(errors);
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /** The id {@code <backbone>-<method id>-f<fold>-<hpHash>}. */
    public static String idFor(String backbone, FusionMethod method, int fold, Map<String, String> hp) {
        return backbone + "-" + method.id() + "-f" + fold + "-" + hpHash(hp);
    }

    /**
     * The id of a nested search's cell, {@code <backbone>-<method id>-o<outer fold>-f<fold>-<hpHash>}: an inner cell
     * has {@code fold != outerFold}, the outer refit {@code fold == outerFold}.
     */
    public static String nestedIdFor(String backbone, FusionMethod method, int outerFold, int fold,
            Map<String, String> hp) {
        return backbone + "-" + method.id() + "-o" + outerFold + "-f" + fold + "-" + hpHash(hp);
    }

    /**
     * 8 hex digits of SHA-256 over the point's {@code key=value} lines, sorted by key; the empty point gives
     * {@code e3b0c442} (the SHA-256 of no bytes).
     */
    public static String hpHash(Map<String, String> hp) {
        return HexFormat.of().formatHex(Seeds.sha256(pointText(hp)), 0, 4);
    }

    /**
     * The cell seed: {@code Seeds.derive(runSeed, "<backbone>/<fold>/" + point text)}, i.e. SplitMix64 of the run
     * seed mixed with the SHA-256 of the identity. The fusion method is deliberately not part of it (common random
     * numbers): on a fold, none/add/concat/kpff start from the same backbone weights and see the same batch order,
     * so their paired differences measure the fusion, not the luck of the draw. Distinct (backbone, fold, point)
     * give distinct seeds (up to 64-bit hash collisions); the same identity always gives the same seed.
     */
    public static long deriveSeed(long runSeed, String backbone, int fold, Map<String, String> hp) {
        return Seeds.derive(runSeed, backbone + "/" + fold + "/" + pointText(hp));
    }

    private static String pointText(Map<String, String> hp) {
        StringBuilder sb = new StringBuilder();
        new TreeMap<>(hp).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        return sb.toString();
    }

    /** The run config with this cell's hyperparameter point applied. */
    public JobConfig effectiveConfig(JobConfig config) {
        return config.withOverrides(hp);
    }

    /**
     * The {@link CellSpec} that builds and trains this cell: model and training values from the config with the
     * point applied, and this cell's seed.
     *
     * @param classes number of classes in the dataset
     */
    public CellSpec toCellSpec(JobConfig config, int classes) {
        JobConfig c = effectiveConfig(config);
        return new CellSpec(backbone, method, classes, c.data().inputSize(), c.model().width(),
                c.model().projectionWidth(), c.model().fusionInit(), c.model().batchNorm(), c.train().dropout(),
                c.train().learningRate(), c.train().weightDecay(), c.train().batchSize(), c.train().epochs(),
                c.eval().every(), seed, c.model().fusionLrScale());
    }
}
