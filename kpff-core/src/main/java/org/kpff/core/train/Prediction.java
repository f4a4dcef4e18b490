package org.kpff.core.train;

/**
 * The final model's prediction for one held-out image, in the validation iterator's order.
 *
 * @param position      position of the image in the validation iterator (0-based)
 * @param label         true class index
 * @param predicted     predicted class index (argmax)
 * @param probabilities softmax output per class
 */
public record Prediction(int position, int label, int predicted, float[] probabilities)
        implements java.io.Serializable {
}
