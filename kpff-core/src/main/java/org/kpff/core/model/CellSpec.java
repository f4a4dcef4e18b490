package org.kpff.core.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;

/**
 * Everything that determines how one cell (backbone × fusion method × fold × hyperparameter point) is built and
 * trained. Immutable; validated on construction with messages that name the field, the value and what is allowed.
 *
 * @param backbone        registered backbone name (alexnet, vgg16, inception)
 * @param method          fusion method of the head
 * @param classes         number of classes (≥ 2)
 * @param inputSize       square input side in pixels (≥ 16)
 * @param width           backbone width multiplier (0, 4]; 1.0 is the paper size
 * @param projectionWidth r, the common width the taps are projected to (≥ 1)
 * @param fusionInit      how the KPFF matrix W starts
 * @param batchNorm       batch normalisation after every backbone convolution
 * @param dropout         dropout probability before the classifier, [0, 1)
 * @param learningRate    Adam learning rate (> 0)
 * @param weightDecay     weight decay: L2 coefficient added to the gradient before Adam, as PyTorch Adam (≥ 0)
 * @param batchSize       minibatch size (≥ 1)
 * @param epochs          training epochs (≥ 1)
 * @param evalEvery       evaluate on the held-out fold every this many epochs (≥ 1); the last epoch always is
 * @param seed            seed for initialisation, shuffling and augmentation of this cell
 * @param fusionLrScale   KPFF only: W's Adam learning rate is this × learningRate (finite, > 0); 1 is the paper
 */
public record CellSpec(String backbone, FusionMethod method, int classes, int inputSize, double width,
        int projectionWidth, FusionInit fusionInit, boolean batchNorm, double dropout, double learningRate,
        double weightDecay, int batchSize, int epochs, int evalEvery, long seed, double fusionLrScale)
        implements java.io.Serializable {

    /** A spec whose W learns at the same rate as every other parameter ({@code fusionLrScale = 1}, the paper). */
    public CellSpec(String backbone, FusionMethod method, int classes, int inputSize, double width,
            int projectionWidth, FusionInit fusionInit, boolean batchNorm, double dropout, double learningRate,
            double weightDecay, int batchSize, int epochs, int evalEvery, long seed) {
        this(backbone, method, classes, inputSize, width, projectionWidth, fusionInit, batchNorm, dropout,
                learningRate, weightDecay, batchSize, epochs, evalEvery, seed, 1.0);
    }

    public CellSpec {
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(fusionInit, "fusionInit");
        List<String> errors = new ArrayList<>();
        check(errors, classes >= 2, "classes", classes, "at least 2");
        check(errors, inputSize >= 16, "inputSize", inputSize, "at least 16 pixels");
        check(errors, width > 0 && width <= 4, "width", width, "in (0, 4]");
        check(errors, projectionWidth >= 1, "projectionWidth", projectionWidth, "at least 1");
        check(errors, dropout >= 0 && dropout < 1, "dropout", dropout, "in [0, 1)");
        check(errors, learningRate > 0 && Double.isFinite(learningRate), "learningRate", learningRate, "a finite number > 0");
        check(errors, weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay", weightDecay, "a finite number >= 0");
        check(errors, batchSize >= 1, "batchSize", batchSize, "at least 1");
        check(errors, epochs >= 1, "epochs", epochs, "at least 1");
        check(errors, evalEvery >= 1, "evalEvery", evalEvery, "at least 1");
        check(errors, fusionLrScale > 0 && Double.isFinite(fusionLrScale), "fusionLrScale", fusionLrScale,
                "a finite number > 0");
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("Invalid cell spec: " + String.join("; ", errors));
        }
    }

    private static void check(List<String> errors, boolean ok, String field, Object value, String allowed) {
        if (!ok) {
            errors.add(field + " = " + value + " (must be " + allowed + ")");
        }
    }

    /** W's learning rate: {@code fusionLrScale × learningRate}. */
    public double fusionLearningRate() {
        return fusionLrScale * learningRate;
    }

    /** Whether the cell evaluates after {@code epoch}: every evalEvery-th epoch, and always the last one. */
    public boolean evaluatesAfter(int epoch) {
        return epoch == epochs || (epoch >= 1 && epoch < epochs && epoch % evalEvery == 0);
    }

    /**
     * How many evaluations the cell makes, {@code ceil(epochs / evalEvery)}: the size of {@link
     * #evaluationEpochs()}, counted without listing them (a cost report for a huge epoch count stays cheap).
     */
    public long evaluationCount() {
        return (epochs - 1) / evalEvery + 1L;
    }

    /** The epochs after which the cell evaluates: every evalEvery-th epoch, and always the last one. */
    public List<Integer> evaluationEpochs() {
        List<Integer> out = new ArrayList<>();
        for (int e = evalEvery; e < epochs; e += evalEvery) {
            out.add(e);
        }
        out.add(epochs);
        return out;
    }
}
