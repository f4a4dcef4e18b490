package org.kpff.job.results;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.kpff.core.fusion.FusionMethod;

/** The KPFF paper's Table 1: UC Merced five-fold accuracy (%) per fusion method and backbone, the reference result. */
public final class PaperTable1 {

    /** Rows: methods; values in the order of {@link #BACKBONES}. */
    private static final Map<FusionMethod, List<Double>> ACCURACY = Map.of(
            FusionMethod.NONE, List.of(88.10, 89.52, 88.57),
            FusionMethod.ADD, List.of(90.71, 91.19, 89.76),
            FusionMethod.CONCAT, List.of(91.19, 90.95, 90.23),
            FusionMethod.KPFF, List.of(91.90, 92.62, 92.14));

    /** The backbones of the table, in its column order. */
    public static final List<String> BACKBONES = List.of("alexnet", "vgg16", "inception");

    /**
     * The one order of backbones in every table and plot: the paper's (AlexNet, VGGNet, Inception), then any other
     * backbone by name.
     */
    public static final Comparator<String> BACKBONE_ORDER = Aggregator::compareBackbones;

    private PaperTable1() {
    }

    /** The paper's accuracy in percent, or empty for a backbone the paper did not report. */
    public static OptionalDouble accuracyPercent(FusionMethod method, String backbone) {
        int i = BACKBONES.indexOf(backbone);
        return i < 0 ? OptionalDouble.empty() : OptionalDouble.of(ACCURACY.get(method).get(i));
    }

    /** The paper's name of a backbone (AlexNet, VGGNet, Inception); other names are returned as they are. */
    public static String displayName(String backbone) {
        return switch (backbone) {
            case "alexnet" -> "AlexNet";
            case "vgg16" -> "VGGNet";
            case "inception" -> "Inception";
            default -> backbone;
        };
    }

    /** The paper's name of a method's row: original, Add, Concat, KPFF. */
    public static String displayName(FusionMethod method) {
        return switch (method) {
            case NONE -> "original";
            case ADD -> "Add";
            case CONCAT -> "Concat";
            case KPFF -> "KPFF";
        };
    }
}
