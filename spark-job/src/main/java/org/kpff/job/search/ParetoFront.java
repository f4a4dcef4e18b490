package org.kpff.job.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The Pareto front of finished trials under two objectives, accuracy (larger is better) and cost (smaller is better:
 * forward FLOPs or training seconds): the trials no other trial dominates.
 *
 * <p>a dominates b when {@code acc(a) >= acc(b)} and {@code cost(a) <= cost(b)} with at least one strict. Ties: two
 * trials with equal accuracy and equal cost do not dominate each other, so both are on the front or neither is; of
 * two trials with equal cost the more accurate dominates, and of two with equal accuracy the cheaper dominates.
 *
 * <p>Computed by one sweep in O(n log n): sort by cost ascending (then accuracy descending); a trial is on the front
 * when its accuracy exceeds that of every cheaper trial, or equals the best so far at the same cost as that best
 * (an exact tie). NaN accuracy or cost, or negative cost, is a caller mistake (a failed trial has no objective
 * values): {@link IllegalArgumentException} naming the trial's index and the value. An empty input has an empty
 * front.
 */
public final class ParetoFront {

    private ParetoFront() {
    }

    /**
     * The non-dominated items, cheapest first (equal cost: input order).
     *
     * @param items    the finished trials (or anything with the two objectives)
     * @param accuracy the objective to maximise
     * @param cost     the objective to minimise, {@code >= 0}
     * @throws IllegalArgumentException when an item has a NaN objective or a negative or infinite cost
     */
    public static <T> List<T> of(List<T> items, ToDoubleFunction<? super T> accuracy, ToDoubleFunction<? super T> cost) {
        int n = items.size();
        double[] acc = new double[n];
        double[] cst = new double[n];
        for (int i = 0; i < n; i++) {
            acc[i] = accuracy.applyAsDouble(items.get(i));
            cst[i] = cost.applyAsDouble(items.get(i));
            if (Double.isNaN(acc[i])) {
                throw new IllegalArgumentException("items[" + i + "]: accuracy is NaN; give finished trials only "
                        + "(a number, -Infinity allowed)");
            }
            if (!(cst[i] >= 0) || Double.isInfinite(cst[i])) {
                throw new IllegalArgumentException("items[" + i + "]: cost = " + cst[i] + "; must be a finite "
                        + "number >= 0");
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> cst[i]).thenComparingDouble(i -> -acc[i])
                .thenComparingInt(i -> i));
        List<T> front = new ArrayList<>();
        double bestAcc = Double.NEGATIVE_INFINITY;
        double bestCost = Double.NaN;
        for (int i : order) {
            boolean better = acc[i] > bestAcc || front.isEmpty();
            boolean tie = !front.isEmpty() && acc[i] == bestAcc && cst[i] == bestCost;
            if (better || tie) {
                front.add(items.get(i));
                bestAcc = acc[i];
                bestCost = cst[i];
            }
        }
        return List.copyOf(front);
    }

    /** Whether a dominates b: at least as accurate and at most as costly, strictly better in one. */
    public static boolean dominates(double accA, double costA, double accB, double costB) {
        return accA >= accB && costA <= costB && (accA > accB || costA < costB);
    }
}
