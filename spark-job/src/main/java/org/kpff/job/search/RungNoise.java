package org.kpff.job.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.kpff.job.results.SampleStats;

/**
 * The guard against rungs that cannot tell trials apart: a rung whose trials' fold-means all lie within the fold
 * noise, or whose best fold-mean is not above chance, decided its promotions (or, at the last rung, the winner) by
 * noise.
 *
 * <p>Rule, per rung with at least two trials scored on at least two folds: the fold noise is the mean over those
 * trials of the standard error of their fold-mean (sample std / √folds). The rung is <em>within noise</em> when the
 * spread of the fold-means (best − worst) is below that standard error, and <em>at chance</em> when the best
 * fold-mean is below 1 / classes + 2 standard errors.
 */
public final class RungNoise {

    private RungNoise() {
    }

    /** The warnings of a study's rungs, in rung order. */
    public static List<String> warnings(SearchStudy study, int classes) {
        List<String> out = new ArrayList<>();
        SearchScheduler s = study.scheduler();
        for (int k = 0; k < s.rungs(); k++) {
            List<List<Double>> scored = new ArrayList<>();
            for (int t = 0; t < s.trials(); t++) {
                List<Double> fa = s.foldAccuracies(t, k);
                if (!fa.isEmpty()) {
                    scored.add(fa);
                }
            }
            check(k, study.epochs(0, k), scored, classes, k == s.rungs() - 1).ifPresent(out::add);
        }
        return out;
    }

    /**
     * The warning for one rung, if it is noisy.
     *
     * @param rung           0-based rung
     * @param epochs         epochs of the rung
     * @param foldAccuracies per scored trial, its accuracy on each fold
     * @param classes        number of classes (chance is 1 / classes)
     * @param last           whether it is the last rung (it picks the winner rather than promotions)
     */
    public static Optional<String> check(int rung, int epochs, List<List<Double>> foldAccuracies, int classes,
            boolean last) {
        if (foldAccuracies.size() < 2 || foldAccuracies.stream().anyMatch(f -> f.size() < 2)) {
            return Optional.empty();
        }
        double best = Double.NEGATIVE_INFINITY;
        double worst = Double.POSITIVE_INFINITY;
        double se = 0;
        for (List<Double> f : foldAccuracies) {
            SampleStats st = SampleStats.of(f.stream().mapToDouble(Double::doubleValue).toArray());
            best = Math.max(best, st.mean());
            worst = Math.min(worst, st.mean());
            se += st.std() / Math.sqrt(f.size());
        }
        se /= foldAccuracies.size();
        double chance = 1.0 / classes;
        String what = last ? "the winner may be chosen by noise" : "its promotions may be decided by noise";
        String fix = last ? "train longer (train.epochs) or use more folds"
                : rung == 0 ? "raise search.min-epochs so that the first rung trains past chance, or lower search.eta"
                : "lower search.eta so that more trials reach the later rungs, or raise search.min-epochs";
        if (best < chance + 2 * se) {
            return Optional.of(String.format(Locale.ROOT, "rung %d (%d epochs) is at chance: its best fold-mean "
                    + "%.2f %% is within two standard errors (%.2f points) of chance (%.2f %% for %d classes), so %s; "
                    + "%s.", rung, epochs, 100 * best, 100 * se, 100 * chance, classes, what,
                    fix));
        }
        if (best - worst < se) {
            return Optional.of(String.format(Locale.ROOT, "rung %d (%d epochs) cannot tell its %d trials apart: "
                    + "their fold-means span %.2f points, less than one standard error of a fold-mean (%.2f points), "
                    + "so %s; %s.", rung, epochs, foldAccuracies.size(), 100 * (best - worst),
                    100 * se, what, fix));
        }
        return Optional.empty();
    }
}
