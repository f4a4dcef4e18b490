package org.kpff.job.search;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One successive-halving bracket of a {@link SearchScheduler}: the rungs {@code first .. last} (global rung indices)
 * its trials climb, who entered each rung in which order, and ASHA's promotion rule over them. A search without
 * brackets has one, from rung 0; Hyperband's bracket b starts its trials at rung b ({@link HyperbandBrackets}).
 *
 * <p><b>Promotion rule (deterministic).</b> A rung's results are taken in entry order: when the first n entrants
 * of rung k all have their fold results, the best ⌊n / eta⌋ of them by fold-mean (ties: lower trial id; failed and
 * pruned trials never) are promoted if not already. When rung k can receive no more entrants (for the first rung:
 * the search admits no more trials) and all of them have results, it closes: if nobody was promoted from it, its best
 * trial is, and every other entrant is stopped. Each promotion is first put to the scheduler
 * ({@link SearchScheduler#verdict}): with {@code search.budget} it may be refused (the trial stops at its rung,
 * decision {@code over-budget}) and, while a resumed search replays its journal, it may have to wait until the
 * replay is over.
 */
final class AshaBracket {

    private final SearchScheduler s;
    private final int id;
    private final int first;
    private final int last;
    private final int eta;
    private final List<List<Integer>> entrants = new ArrayList<>();
    private final List<Set<Integer>> promoted = new ArrayList<>();
    /** Trials whose promotion from the rung was decided (granted or refused). */
    private final List<Set<Integer>> decided = new ArrayList<>();
    /** Per rung, the number of entrants of the next rung right after each entrant was processed. */
    private final List<List<Integer>> nextAfter = new ArrayList<>();
    private final int[] processed;
    private final boolean[] closed;
    /** Per rung below the last: the promotion rule's ranking, kept as results come in (O(log n) a result). */
    private final List<RungRanking> rankings = new ArrayList<>();

    /**
     * @param id    the bracket's index (0 = the one whose trials start at the lowest rung)
     * @param first the rung its trials start at
     * @param last  the last rung (the full budget)
     */
    AshaBracket(SearchScheduler s, int id, int first, int last, int eta) {
        this.s = s;
        this.id = id;
        this.first = first;
        this.last = last;
        this.eta = eta;
        for (int k = first; k <= last; k++) {
            entrants.add(new ArrayList<>());
            promoted.add(new LinkedHashSet<>());
            decided.add(new LinkedHashSet<>());
            nextAfter.add(new ArrayList<>());
        }
        processed = new int[last - first + 1];
        closed = new boolean[last - first + 1];
        for (int k = first; k < last; k++) {
            int rung = k;
            rankings.add(new RungRanking(eta, t -> s.foldMean(t, rung)));
        }
    }

    int id() {
        return id;
    }

    int first() {
        return first;
    }

    /** A trial starts at the bracket's first rung (admitted in trial order). */
    void admit(int trial) {
        entrants.get(0).add(trial);
    }

    /** The entrants of a rung, in entry order (empty below the bracket's first rung). */
    List<Integer> entrants(int rung) {
        return rung < first ? List.of() : entrants.get(rung - first);
    }

    /** The first {@code n} entrants of rung k whose results are in, in entry order. */
    List<Integer> scored(int rung) {
        return rung < first ? List.of() : List.copyOf(entrants(rung).subList(0, processed[rung - first]));
    }

    /**
     * The entrants the next rung had right after the m-th entrant of {@code rung} was processed (0 for m = 0); they
     * stay its first entrants, whatever happens later.
     */
    int nextAfter(int rung, int m) {
        return m == 0 ? 0 : nextAfter.get(rung - first).get(m - 1);
    }

    /** One pass of the promotion rule over the rungs; true when it decided or processed anything. */
    boolean step() {
        boolean progress = false;
        for (int k = first; k <= last; k++) {
            int i = k - first;
            List<Integer> in = entrants.get(i);
            while (processed[i] < in.size()) {
                int t = in.get(processed[i]);
                int seen = s.pruneLook(t, k, in.subList(0, processed[i]));
                List<Integer> owed = List.of();
                if (seen > 0) {
                    s.settle(t, TrialStatus.PRUNED, new Decision(t, k, Action.PRUNE, Double.NaN, seen, id));
                    rank(k, t, false);
                } else {
                    Boolean ok = s.ledger().rungResult(t, k);
                    if (ok == null) {
                        break;
                    }
                    if (!ok) {
                        s.settle(t, TrialStatus.FAILED, new Decision(t, k, Action.FAIL, Double.NaN, 0, id));
                        rank(k, t, false);
                    } else if (k == last) {
                        s.settle(t, TrialStatus.COMPLETED, new Decision(t, k, Action.COMPLETE, s.foldMean(t, k), 0,
                                id));
                    } else {
                        // The best ⌊(n + 1) / eta⌋ of the first n + 1 entrants not decided yet (processing is
                        // idempotent: a step that waits here takes the same entrant again later).
                        RungRanking r = rankings.get(i);
                        r.processed(t, !Double.isNaN(s.foldMean(t, k)));
                        owed = r.dueAll();
                        if (!s.mayDecide(owed, k)) {
                            break;
                        }
                    }
                }
                processed[i]++;
                progress = true;
                for (int o : owed) {
                    promote(o, k);
                }
                nextAfter.get(i).add(k == last ? 0 : entrants.get(i + 1).size());
            }
            if (!closed[i] && (k == first ? s.admissionClosed() : closed[i - 1]) && processed[i] == in.size()) {
                if (k < last) {
                    List<Integer> best = ranked(in, k);
                    if (decided.get(i).isEmpty() && !best.isEmpty()) {
                        if (!s.mayDecide(List.of(best.get(0)), k)) {
                            continue;
                        }
                        promote(best.get(0), k);
                    }
                    for (int t : best) {
                        if (!promoted.get(i).contains(t) && !s.status(t).isFinal()) {
                            s.settle(t, TrialStatus.STOPPED, new Decision(t, k, Action.STOP, s.foldMean(t, k), 0, id));
                        }
                    }
                }
                closed[i] = true;
                progress = true;
            }
        }
        return progress;
    }

    /** A failed or pruned entrant counts in its rung's quota without a rank. */
    private void rank(int rung, int trial, boolean ok) {
        if (rung < last) {
            rankings.get(rung - first).processed(trial, ok);
        }
    }

    private void promote(int trial, int rung) {
        int i = rung - first;
        if (!decided.get(i).add(trial)) {
            return;
        }
        rankings.get(i).promoted(trial);
        if (s.verdict(trial, rung)) {
            promoted.get(i).add(trial);
            entrants.get(i + 1).add(trial);
            s.promoted(trial, rung, new Decision(trial, rung, Action.PROMOTE, s.foldMean(trial, rung), 0, id));
        } else {
            s.settle(trial, TrialStatus.STOPPED, new Decision(trial, rung, Action.OVER_BUDGET, s.foldMean(trial, rung),
                    0, id));
        }
    }

    /** The trials that are not failed, best fold-mean first, ties by lower id. */
    private List<Integer> ranked(List<Integer> among, int rung) {
        return among.stream().filter(t -> !Double.isNaN(s.foldMean(t, rung)))
                .sorted(Comparator.comparingDouble((Integer t) -> -s.foldMean(t, rung)).thenComparingInt(t -> t))
                .toList();
    }
}
