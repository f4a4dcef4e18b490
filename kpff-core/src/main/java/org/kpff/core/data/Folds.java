package org.kpff.core.data;

import java.io.Serializable;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * An immutable assignment of every image index to one of k folds, as made by {@link StratifiedKFold}: fold
 * {@code f}'s test set is the images assigned to {@code f}, its training set all others. Serializable.
 */
public final class Folds implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int k;
    private final long seed;
    private final int[] fold;

    private Folds(int k, long seed, int[] fold) {
        this.k = k;
        this.seed = seed;
        this.fold = fold;
    }

    /**
     * Folds from an explicit assignment.
     *
     * @param k    number of folds (≥ 2)
     * @param seed the seed the assignment was made from (recorded, not used)
     * @param fold {@code fold[i]} in [0, k) is the fold of image {@code i}; copied
     * @throws IllegalArgumentException naming the value, when k &lt; 2 or an entry is out of range
     */
    public static Folds of(int k, long seed, int[] fold) {
        if (k < 2) {
            throw new IllegalArgumentException("k = " + k + " (must be at least 2 folds)");
        }
        for (int i = 0; i < fold.length; i++) {
            if (fold[i] < 0 || fold[i] >= k) {
                throw new IllegalArgumentException("fold[" + i + "] = " + fold[i] + " (must be in [0, " + k + "))");
            }
        }
        return new Folds(k, seed, fold.clone());
    }

    /** Number of folds. */
    public int k() {
        return k;
    }

    /** The seed the folds were made from. */
    public long seed() {
        return seed;
    }

    /** Number of images. */
    public int size() {
        return fold.length;
    }

    /** The fold of image {@code index}. */
    public int fold(int index) {
        return fold[index];
    }

    /** A fresh copy of the whole assignment: element {@code i} is the fold of image {@code i}. */
    public int[] assignment() {
        return fold.clone();
    }

    /** The held-out images of fold {@code f}, ascending; a fresh array. */
    public int[] testIndices(int f) {
        checkFold(f);
        return IntStream.range(0, fold.length).filter(i -> fold[i] == f).toArray();
    }

    /** The training images of fold {@code f} (all images not in its test set), ascending; a fresh array. */
    public int[] trainIndices(int f) {
        checkFold(f);
        return IntStream.range(0, fold.length).filter(i -> fold[i] != f).toArray();
    }

    /** Number of held-out images of fold {@code f}. */
    public int testSize(int f) {
        checkFold(f);
        return (int) Arrays.stream(fold).filter(x -> x == f).count();
    }

    private void checkFold(int f) {
        if (f < 0 || f >= k) {
            throw new IllegalArgumentException("fold = " + f + " (must be in [0, " + k + "))");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Folds other && k == other.k && seed == other.seed && Arrays.equals(fold, other.fold);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * k + Long.hashCode(seed)) + Arrays.hashCode(fold);
    }

    @Override
    public String toString() {
        int[] sizes = new int[k];
        for (int f : fold) {
            sizes[f]++;
        }
        return "Folds[k=" + k + ", seed=" + seed + ", test sizes " + Arrays.toString(sizes) + "]";
    }
}
