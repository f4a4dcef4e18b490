package org.kpff.job.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.kpff.core.Seeds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.model.CellSpec;
import org.kpff.job.config.ConfigValidationException;
import org.kpff.job.config.JobConfig;

class GridPlannerTest {

    private static final int CLASSES = 21;
    private static final JobConfig PAPER = JobConfig.fromEmbeddedDefaults();
    private static final JobConfig SMOKE = JobConfig.loadResource(JobConfig.SMOKE_RESOURCE, List.of());
    private static final List<Map<String, String>> TWO_POINTS = List.of(
            Map.of("train.learning-rate", "1e-3"),
            Map.of("train.learning-rate", "1e-4", "model.fusion-init", "add"));

    @Test
    void cellCountIsFoldsTimesBackbonesTimesMethodsTimesPoints() {
        assertEquals(5 * 3 * 4, GridPlanner.plan(PAPER, CLASSES, Set.of()).size());
        assertEquals(2 * 3 * 4, GridPlanner.plan(SMOKE, CLASSES, Set.of()).size());
        assertEquals(2 * 3 * 4 * 2, GridPlanner.plan(SMOKE, CLASSES, TWO_POINTS, Set.of()).size());
        JobConfig small = JobConfig.parse("", "t", List.of("model.backbones=vgg16", "model.methods=kpff,none",
                "data.folds=3"));
        assertEquals(3 * 1 * 2, GridPlanner.plan(small, CLASSES, Set.of()).size());
    }

    @Test
    void idsAreReadableUniqueAndDeterministic() {
        List<GridCell> a = GridPlanner.plan(SMOKE, CLASSES, TWO_POINTS, Set.of());
        List<GridCell> b = GridPlanner.plan(SMOKE, CLASSES, TWO_POINTS, Set.of());
        assertEquals(a, b);
        assertEquals(a.size(), a.stream().map(GridCell::id).distinct().count());
        List<GridCell> plain = GridPlanner.plan(SMOKE, CLASSES, Set.of());
        assertTrue(plain.stream().anyMatch(c -> c.id().equals("alexnet-kpff-f0-e3b0c442")), plain.toString());
        for (GridCell c : a) {
            assertTrue(c.id().matches("(alexnet|vgg16|inception)-(none|add|concat|kpff)-f[01]-[0-9a-f]{8}"), c.id());
        }
        // the point's hash is over canonical values: 1e-3 and 0.001 are the same point
        assertEquals(GridCell.of("vgg16", FusionMethod.ADD, 1, Map.of("train.learning-rate", "0.001"), 42),
                GridCell.of("vgg16", FusionMethod.ADD, 1, Map.of("train.learning-rate", "1e-3"), 42));
        assertEquals(Map.of("train.learning-rate", "0.001"),
                GridCell.of("vgg16", FusionMethod.ADD, 1, Map.of("train.learning-rate", "1e-3"), 42).hp());
    }

    @Test
    void seedsAreDerivedFromRunSeedAndIdentity() {
        List<GridCell> cells = GridPlanner.plan(SMOKE, CLASSES, TWO_POINTS, Set.of());
        // Common random numbers: the methods of one (backbone, fold, point) share a seed; all else differ.
        Map<String, Set<Long>> seedsByIdentity = cells.stream().collect(Collectors.groupingBy(
                c -> c.backbone() + "/" + c.fold() + "/" + c.hp(), Collectors.mapping(GridCell::seed, Collectors.toSet())));
        seedsByIdentity.values().forEach(s -> assertEquals(1, s.size(), "one seed per (backbone, fold, point)"));
        Set<Long> seeds = cells.stream().map(GridCell::seed).collect(Collectors.toSet());
        assertEquals(seedsByIdentity.size(), seeds.size());

        // hand computation of the documented derivation for one cell
        String identity = "alexnet/0/";
        long expected = Seeds.mix64(Seeds.mix64(42L) ^ Seeds.stableHash(identity));
        assertEquals(expected, GridCell.of("alexnet", FusionMethod.KPFF, 0, Map.of(), 42L).seed());
        assertEquals(expected, GridCell.of("alexnet", FusionMethod.NONE, 0, Map.of(), 42L).seed());
        // SplitMix64 of 0 (reference value of the published generator's first output for state 0x9e3779b97f4a7c15)
        assertEquals(0xe220a8397b1dcdafL, Seeds.mix64(0x9e3779b97f4a7c15L));

        JobConfig otherSeed = SMOKE.withOverrides(Map.of("train.seed", "43"));
        Map<String, Long> byId = GridPlanner.plan(otherSeed, CLASSES, Set.of()).stream()
                .collect(Collectors.toMap(GridCell::id, GridCell::seed));
        for (GridCell c : GridPlanner.plan(SMOKE, CLASSES, Set.of())) {
            assertNotEquals(c.seed(), byId.get(c.id()), c.id());
        }
    }

    @Test
    void cellsRunLongestFirst() {
        List<GridCell> cells = GridPlanner.plan(PAPER, CLASSES, Set.of());
        List<String> backbones = cells.stream().map(GridCell::backbone).distinct().toList();
        assertEquals(List.of("vgg16", "inception", "alexnet"), backbones);
        for (int i = 1; i < cells.size(); i++) {
            assertTrue(CostModel.cost(cells.get(i - 1), PAPER) >= CostModel.cost(cells.get(i), PAPER));
        }
        // ties: config order of methods, then fold
        assertEquals("vgg16-none-f0-e3b0c442", cells.get(0).id());
        assertEquals("vgg16-none-f1-e3b0c442", cells.get(1).id());
        assertEquals("vgg16-add-f0-e3b0c442", cells.get(5).id());

        // points change costs: 400 epochs double them, width 0.5 quarters them
        List<GridCell> mixed = GridPlanner.plan(PAPER, CLASSES,
                List.of(Map.of("model.width", "0.5"), Map.of("train.epochs", "400")), Set.of());
        assertEquals(Map.of("train.epochs", "400"), mixed.get(0).hp());
        assertEquals(15.47 * 400, CostModel.cost(mixed.get(0), PAPER), 1e-9);
        assertEquals(0.71 * 0.25 * 200, CostModel.cost(mixed.get(mixed.size() - 1), PAPER), 1e-9);
        assertEquals(1.50 * (32 / 224.0) * (32 / 224.0) * 0.125 * 0.125 * 4,
                CostModel.cost("inception", 32, 0.125, 4), 1e-12);
    }

    @Test
    void committedCellsAreExcluded() {
        List<GridCell> all = GridPlanner.plan(SMOKE, CLASSES, Set.of());
        Set<String> committed = new HashSet<>();
        committed.add(all.get(0).id());
        committed.add(all.get(7).id());
        committed.add("not-a-cell-of-this-grid");
        List<GridCell> rest = GridPlanner.plan(SMOKE, CLASSES, committed);
        assertEquals(all.size() - 2, rest.size());
        assertTrue(rest.stream().noneMatch(c -> committed.contains(c.id())));
        List<GridCell> expected = all.stream().filter(c -> !committed.contains(c.id())).toList();
        assertEquals(expected, rest);
        assertEquals(List.of(), GridPlanner.plan(SMOKE, CLASSES,
                all.stream().map(GridCell::id).collect(Collectors.toSet())));
    }

    @Test
    void toCellSpecCarriesTheConfigThePointAndTheSeed() {
        GridCell cell = GridCell.of("inception", FusionMethod.KPFF, 1,
                Map.of("train.learning-rate", "1e-3", "model.fusion-init", "random", "model.fusion-lr-scale", "30"), 42);
        CellSpec spec = cell.toCellSpec(SMOKE, CLASSES);
        assertEquals(new CellSpec("inception", FusionMethod.KPFF, CLASSES, 32, 0.125, 32, FusionInit.RANDOM, true,
                0.5, 1e-3, 5e-4, 32, 4, 2, cell.seed(), 30.0), spec);
        assertEquals(0.03, spec.fusionLearningRate(), 1e-15);
        assertEquals(1.0, GridCell.of("inception", FusionMethod.KPFF, 1, Map.of(), 42).toCellSpec(SMOKE, CLASSES)
                .fusionLrScale());
    }

    @Test
    void badPointsAreReportedTogether() {
        ConfigValidationException e = assertThrows(ConfigValidationException.class,
                () -> GridPlanner.plan(SMOKE, CLASSES, List.of(
                        Map.of("train.dropout", "1.5"),
                        Map.of("data.folds", "3", "train.lr", "1"),
                        Map.of("train.learning-rate", "0.0001"),
                        Map.of("train.learning-rate", "1e-4")), Set.of()));
        assertEquals(4, e.errors().size(), e.getMessage());
        assertTrue(e.errors().get(0).startsWith("hyperparameter point 0: train.dropout = 1.5: must be a number in"),
                e.getMessage());
        assertTrue(e.errors().get(1).startsWith("hyperparameter point 1: hyperparameter point key 'data.folds'"
                + " cannot vary per point; allowed: data.input-size,"), e.getMessage());
        assertTrue(e.errors().get(2).startsWith("hyperparameter point 1: unknown key 'train.lr'"), e.getMessage());
        assertEquals("hyperparameter point 3 {train.learning-rate=0.0001} repeats an earlier point",
                e.errors().get(3));
        assertThrows(IllegalArgumentException.class, () -> GridPlanner.plan(SMOKE, CLASSES, List.of(), Set.of()));
        assertThrows(IllegalArgumentException.class, () -> GridPlanner.plan(SMOKE, 1, Set.of()));
    }

    @Test
    void cellsAndConfigsSurviveJavaSerialization() throws Exception {
        GridCell cell = GridPlanner.plan(SMOKE, CLASSES, TWO_POINTS, Set.of()).get(0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(cell);
            out.writeObject(SMOKE);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(cell, in.readObject());
            JobConfig back = (JobConfig) in.readObject();
            assertEquals(SMOKE, back);
            assertEquals(SMOKE.fingerprint(), back.fingerprint());
            assertEquals(SMOKE.model(), back.model());
        }
    }

    @Test
    void recordRejectsAnIdThatDoesNotMatchItsIdentity() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GridCell("alexnet-kpff-f0-00000000", "alexnet", FusionMethod.KPFF, 0, new TreeMap<>(), 1L));
        assertEquals("GridCell id 'alexnet-kpff-f0-00000000' does not match its identity; expected "
                + "'alexnet-kpff-f0-e3b0c442'", e.getMessage());
    }
}
