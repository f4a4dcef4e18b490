package org.kpff.core.data;

import org.kpff.core.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Stratified k-fold cross-validation splits from a seed: every class is spread over the k folds as evenly as
 * possible, and so is the whole dataset.
 *
 * <p>Algorithm: the images of each class (in listing order) are shuffled with a random stream derived from (seed,
 * class) and dealt round-robin to the folds; each class starts dealing at the fold after the one where the previous
 * class stopped. So a class with m images puts ⌊m/k⌋ or ⌈m/k⌉ in every fold, and overall fold sizes also differ
 * by at most 1. The result depends only on the labels, k and the seed: identical for every backbone and method.
 */
public final class StratifiedKFold {

    private StratifiedKFold() {
    }

    /**
     * Folds of {@code listing}.
     *
     * @throws IllegalArgumentException when k &lt; 2
     * @throws DatasetException         when some class has fewer than k images (naming the class, its count and k)
     */
    public static Folds split(DatasetListing listing, int k, long seed) {
        return split(listing.labels(), listing.classes(), k, seed);
    }

    /**
     * Folds of images with the given labels.
     *
     * @param labels  label of each image, in [0, classes.size())
     * @param classes class names (for messages)
     * @param k       number of folds (≥ 2)
     * @param seed    the seed
     * @throws IllegalArgumentException when k &lt; 2 or a label is out of range
     * @throws DatasetException         when some class has fewer than k images (naming the class, its count and k)
     */
    public static Folds split(int[] labels, List<String> classes, int k, long seed) {
        if (k < 2) {
            throw new IllegalArgumentException("k = " + k + " (must be at least 2 folds)");
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes.size()) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " (must be in [0, "
                        + classes.size() + "))");
            }
            byClass.get(labels[i]).add(i);
        }
        List<String> tooSmall = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            if (byClass.get(c).size() < k) {
                tooSmall.add("class '" + classes.get(c) + "' has " + byClass.get(c).size() + " image(s)");
            }
        }
        if (!tooSmall.isEmpty()) {
            throw new DatasetException(String.join(", ", tooSmall) + ", fewer than the k = " + k
                    + " folds: every class needs at least k images (one per held-out fold); add images or "
                    + "lower k.");
        }
        int[] fold = new int[labels.length];
        int next = 0;
        for (int c = 0; c < classes.size(); c++) {
            List<Integer> members = byClass.get(c);
            int[] shuffled = members.stream().mapToInt(Integer::intValue).toArray();
            SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, c));
            for (int i = shuffled.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            for (int index : shuffled) {
                fold[index] = next;
                next = (next + 1) % k;
            }
        }
        return Folds.of(k, seed, fold);
    }
}
