package org.kpff.job.search;

import java.util.Comparator;
import java.util.TreeSet;
import java.util.function.IntToDoubleFunction;

/**
 * One rung's ranking for {@link SearchScheduler}'s promotion rule, kept as results come in: when the first n entrants
 * have their results, the best ⌊n / eta⌋ ok ones must be promoted (if not already). The rung's ok entrants are kept
 * best first, with the quota's last one (the ⌊n / eta⌋-th best): it moves one place up when a better entrant joins and
 * one place down when the quota grows, so a result costs O(log n) and the trials due for promotion are the best
 * unpromoted ones that rank no lower than it. Ranking the first n entrants again after every result, as the rule
 * reads, cost O(n log n) per result: a search's scheduling grew with the square of its trials.
 */
final class RungRanking {

    private final int eta;
    /** The ok entrants, best first. */
    private final TreeSet<Integer> ok;
    /** The ok entrants not promoted yet, best first. */
    private final TreeSet<Integer> unpromoted;
    /** The entrants processed so far (a trial processed again, as a step retried after a wait, counts once). */
    private final java.util.Set<Integer> seen = new java.util.HashSet<>();
    private int processed;
    /** ⌊processed / eta⌋. */
    private int quota;
    /** The quota-th best ok entrant; null when the quota is 0 or fewer entrants are ok. */
    private Integer quotaLast;

    /**
     * @param eta      the reduction factor (≥ 2)
     * @param foldMean a trial's fold-mean accuracy at this rung (ranked higher first, ties by lower trial id); it
     *                 must not change once the trial is processed ok
     */
    RungRanking(int eta, IntToDoubleFunction foldMean) {
        this.eta = eta;
        Comparator<Integer> best = Comparator.comparingDouble((Integer t) -> -foldMean.applyAsDouble(t))
                .thenComparingInt(t -> t);
        this.ok = new TreeSet<>(best);
        this.unpromoted = new TreeSet<>(best);
    }

    /**
     * One more entrant has its result; an ok one (a fold-mean to rank by, which must not change afterwards) joins
     * the ranking.
     */
    void processed(int trial, boolean isOk) {
        if (!seen.add(trial)) {
            return;
        }
        processed++;
        if (isOk) {
            ok.add(trial);
            unpromoted.add(trial);
            if (quotaLast != null && ok.comparator().compare(trial, quotaLast) < 0) {
                quotaLast = ok.lower(quotaLast);
            } else if (quotaLast == null && quota > 0 && ok.size() == quota) {
                quotaLast = ok.last();
            }
        }
        while (quota < processed / eta) {
            quota++;
            quotaLast = quotaLast != null ? ok.higher(quotaLast) : quota == 1 && !ok.isEmpty() ? ok.first() : null;
        }
    }

    /** The best unpromoted ok entrant among the best ⌊processed / eta⌋ ok ones; null when none is due. */
    Integer due() {
        if (quota == 0 || unpromoted.isEmpty()) {
            return null;
        }
        Integer first = unpromoted.first();
        return quotaLast == null || ok.comparator().compare(first, quotaLast) <= 0 ? first : null;
    }

    /** Every entrant {@link #due} in turn, best first, without deciding them. */
    java.util.List<Integer> dueAll() {
        if (quota == 0 || unpromoted.isEmpty()) {
            return java.util.List.of();
        }
        return java.util.List.copyOf(quotaLast == null ? unpromoted : unpromoted.headSet(quotaLast, true));
    }

    /** The ok entrants, best fold-mean first, ties by lower id. */
    java.util.List<Integer> ranked() {
        return java.util.List.copyOf(ok);
    }

    /** The trial was promoted (by the rule, or as the best of a closing rung nobody was promoted from). */
    void promoted(int trial) {
        unpromoted.remove(trial);
    }
}
