package org.kpff.job.results;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.job.plan.GridCell;

/**
 * A small hand-made run with k = 3 folds, shared by the aggregation, Markdown and Parquet tests.
 *
 * <pre>
 * alexnet none   final 0.80 0.90 0.85  best 0.82 0.91 0.86
 * alexnet add    final 0.82 0.93 (f2 failed)
 * alexnet kpff   final 0.85 0.94 0.88
 * vgg16   none   final 0.70 (only f0)
 * vgg16   kpff   f0 failed
 * predictions (alexnet, folds 0 and 1): none right on a, b, e; kpff right on a, c, d, e, f
 * </pre>
 */
final class ResultFixtures {

    static final int FOLDS = 3;

    private ResultFixtures() {
    }

    static CellKey key(String backbone, FusionMethod method, int fold) {
        GridCell c = GridCell.of(backbone, method, fold, Map.of(), 42L);
        return CellKey.of(c);
    }

    static CellResult ok(String backbone, FusionMethod method, int fold, double fin, double best) {
        CellKey k = key(backbone, method, fold);
        List<Double> w = method == FusionMethod.KPFF ? List.of(0.9, 0.1, -0.2, 1.1) : null;
        return new CellResult(k, CellStatus.OK, null, fin, best, 7, 10, 12.5, 10.0, "host-a", "0", 1, w,
                List.of(8, 2, 1, 9), FusionInit.IDENTITY, GridCell.deriveSeed(42L, backbone, fold, Map.of()), 0, 1L,
                1L << 20, 1L << 30, "cpu-onednn-avx512", "1", java.time.Instant.parse("2026-11-25T10:00:00Z"),
                java.time.Instant.parse("2026-11-25T10:00:12.500Z"), "cuda:0 (Tesla T4)", 210.0);
    }

    static CellResult failed(String backbone, FusionMethod method, int fold) {
        return new CellResult(key(backbone, method, fold), CellStatus.FAILED, "java.lang.OutOfMemoryError: boom",
                null, null, null, 3, 4.0, 3.0, "host-b", null, 4, null, null, FusionInit.IDENTITY, 1L, 2, 1L, 0L, 0L,
                "cpu-plain", "driver", java.time.Instant.parse("2026-11-25T10:01:00Z"),
                java.time.Instant.parse("2026-11-25T10:01:04Z"), "cpu", null);
    }

    static List<CellResult> cells() {
        return List.of(
                ok("alexnet", FusionMethod.NONE, 0, 0.80, 0.82),
                ok("alexnet", FusionMethod.NONE, 1, 0.90, 0.91),
                ok("alexnet", FusionMethod.NONE, 2, 0.85, 0.86),
                ok("alexnet", FusionMethod.ADD, 0, 0.82, 0.82),
                ok("alexnet", FusionMethod.ADD, 1, 0.93, 0.93),
                failed("alexnet", FusionMethod.ADD, 2),
                ok("alexnet", FusionMethod.KPFF, 0, 0.85, 0.86),
                ok("alexnet", FusionMethod.KPFF, 1, 0.94, 0.95),
                ok("alexnet", FusionMethod.KPFF, 2, 0.88, 0.90),
                ok("vgg16", FusionMethod.NONE, 0, 0.70, 0.75),
                failed("vgg16", FusionMethod.KPFF, 0));
    }

    static List<ImagePrediction> predictions() {
        List<ImagePrediction> out = new ArrayList<>();
        String[][] fold0 = {{"a", "x"}, {"b", "y"}, {"c", "x"}, {"d", "y"}};
        String[][] fold1 = {{"e", "x"}, {"f", "y"}};
        add(out, FusionMethod.NONE, 0, fold0, "abe");
        add(out, FusionMethod.NONE, 1, fold1, "abe");
        add(out, FusionMethod.KPFF, 0, fold0, "acdef");
        add(out, FusionMethod.KPFF, 1, fold1, "acdef");
        return out;
    }

    private static void add(List<ImagePrediction> out, FusionMethod m, int fold, String[][] images, String right) {
        for (String[] im : images) {
            String label = im[1];
            String wrong = label.equals("x") ? "y" : "x";
            boolean ok = right.contains(im[0]);
            out.add(new ImagePrediction(key("alexnet", m, fold), "cls/" + im[0] + ".tif", label, ok ? label : wrong,
                    ok ? List.of(0.9f, 0.1f) : List.of(0.2f, 0.8f)));
        }
    }
}
