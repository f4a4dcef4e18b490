package org.kpff.core.data;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-channel normalisation of uint8 pixels into features: {@code f = (v / 255 − mean[c]) / std[c]}, with mean and
 * std in units of the [0, 1] pixel scale.
 *
 * <p>Choices: {@link #fromTraining} (statistics of the training fold, the default for training from scratch),
 * {@link #IMAGENET} (the usual ImageNet constants), {@link #fixed} (e.g. mean 0.5, std 0.25 maps [0, 1] to
 * [−2, 2]) and {@link #UNIT} (just {@code v / 255}). Immutable and serializable.
 */
public final class Normalization implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(Normalization.class);

    /** Smallest standard deviation taken as is; a flatter channel gets std 1 (it is only centred). */
    public static final double MIN_STD = 1e-6;

    /** No centring or scaling beyond {@code v / 255}: features in [0, 1]. */
    public static final Normalization UNIT = new Normalization(new double[] {0, 0, 0}, new double[] {1, 1, 1});

    /** The ImageNet statistics used by torchvision: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225). */
    public static final Normalization IMAGENET = new Normalization(new double[] {0.485, 0.456, 0.406},
            new double[] {0.229, 0.224, 0.225});

    private final double[] mean;
    private final double[] std;

    private Normalization(double[] mean, double[] std) {
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /**
     * Per-channel {@code mean} and {@code std} (three each, R, G, B, in the [0, 1] scale).
     *
     * @throws IllegalArgumentException unless there are three finite means and three finite stds &gt; 0
     */
    public static Normalization of(double[] mean, double[] std) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean = " + Arrays.toString(mean) + ", std = " + Arrays.toString(std)
                    + " (must have 3 values each: R, G, B)");
        }
        for (int c = 0; c < 3; c++) {
            if (!Double.isFinite(mean[c])) {
                throw new IllegalArgumentException("mean = " + Arrays.toString(mean) + " (must be finite)");
            }
            if (!(std[c] > 0) || !Double.isFinite(std[c])) {
                throw new IllegalArgumentException("std = " + Arrays.toString(std) + " (must be finite and > 0)");
            }
        }
        return new Normalization(mean, std);
    }

    /** The same {@code mean} and {@code std} for all three channels, e.g. {@code fixed(0.5, 0.25)}. */
    public static Normalization fixed(double mean, double std) {
        return of(new double[] {mean, mean, mean}, new double[] {std, std, std});
    }

    /**
     * Per-channel mean and population standard deviation (divide by n) over every pixel of the given images, so
     * that those images' features have mean 0 and std 1 per channel. Skipped images are left out. A channel with a
     * std below {@link #MIN_STD} (a constant channel) gets std 1.
     *
     * @param images  decoded images
     * @param indices the training-fold indices
     * @throws IllegalArgumentException when no decoded image is among {@code indices}
     */
    public static Normalization fromTraining(DecodedImages images, int[] indices) {
        int[] usable = images.usable(indices);
        if (usable.length == 0) {
            throw new IllegalArgumentException("indices = " + indices.length + " images of which none is decoded "
                    + "(normalisation statistics need at least one decoded training image)");
        }
        int plane = images.inputSize() * images.inputSize();
        long[] sum = new long[3];
        long[] sumSq = new long[3];
        for (int i : usable) {
            byte[] p = images.raw(i);
            for (int c = 0; c < 3; c++) {
                long s = 0;
                long sq = 0;
                for (int k = c * plane, end = k + plane; k < end; k++) {
                    int v = p[k] & 0xFF;
                    s += v;
                    sq += v * v;
                }
                sum[c] += s;
                sumSq[c] += sq;
            }
        }
        double n = (double) usable.length * plane;
        double[] mean = new double[3];
        double[] std = new double[3];
        for (int c = 0; c < 3; c++) {
            double m = sum[c] / n;
            double var = Math.max(sumSq[c] / n - m * m, 0);
            mean[c] = m / 255.0;
            std[c] = Math.sqrt(var) / 255.0;
            if (std[c] < MIN_STD) {
                LOG.warn("Channel {} is constant over the {} training images (std {}); using std 1", c,
                        usable.length, std[c]);
                std[c] = 1;
            }
        }
        return new Normalization(mean, std);
    }

    /** Mean of channel {@code c} (0 R, 1 G, 2 B) in the [0, 1] scale. */
    public double mean(int c) {
        return mean[c];
    }

    /** Standard deviation of channel {@code c} (0 R, 1 G, 2 B) in the [0, 1] scale. */
    public double std(int c) {
        return std[c];
    }

    /** The feature of pixel value {@code v} (0..255) in channel {@code c}. */
    public float apply(int c, int v) {
        return (float) ((v / 255.0 - mean[c]) / std[c]);
    }

    /** {@code table[c][v]} = {@link #apply}(c, v): the lookup table batches are made with. */
    float[][] lookupTable() {
        float[][] table = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                table[c][v] = apply(c, v);
            }
        }
        return table;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization other && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
