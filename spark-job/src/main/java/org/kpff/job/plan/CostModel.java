package org.kpff.job.plan;

import java.util.Map;
import java.util.TreeSet;
import org.kpff.job.config.JobConfig;

/**
 * The relative cost of training a cell, used to start the longest cells first:
 * {@code forward GFLOPs of the backbone at 224 × 224 and width 1 × (input / 224)² × width² × epochs}.
 *
 * <p>Convolution cost grows with the pixel count (input²) and with input × output channels (width²); the training
 * set and the fusion head are the same size, or small, across cells, so they are left out. The constants are the
 * commonly published multiply–accumulate counts (torchvision's model table): AlexNet 0.71, VGG16 15.47, GoogLeNet
 * (Inception) 1.50 GFLOPs. A counter over the built networks can replace them later.
 */
public final class CostModel {

    private static final Map<String, Double> GFLOPS_224 = Map.of("alexnet", 0.71, "vgg16", 15.47, "inception", 1.50);

    private CostModel() {
    }

    /**
     * Forward GFLOPs of a backbone at 224 × 224 and width 1.
     *
     * @throws IllegalArgumentException for a backbone the model does not know, naming the known ones
     */
    public static double forwardGflops224(String backbone) {
        Double g = GFLOPS_224.get(backbone);
        if (g == null) {
            throw new IllegalArgumentException("CostModel: unknown backbone '" + backbone + "'; known: "
                    + new TreeSet<>(GFLOPS_224.keySet()));
        }
        return g;
    }

    /** The relative cost {@code gflops224(backbone) × (inputSize / 224)² × width² × epochs}. */
    public static double cost(String backbone, int inputSize, double width, int epochs) {
        double s = inputSize / 224.0;
        return forwardGflops224(backbone) * s * s * width * width * epochs;
    }

    /** The relative cost of a cell under the config with the cell's point applied. */
    public static double cost(GridCell cell, JobConfig config) {
        JobConfig effective = cell.effectiveConfig(config);
        return cost(cell.backbone(), effective.data().inputSize(), effective.model().width(),
                effective.train().epochs());
    }
}
