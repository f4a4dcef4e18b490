package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The noisy-rung rule on hand-made fold accuracies: at chance, within the fold noise, and a rung that is neither. */
class RungNoiseTest {

    @Test
    void aRungWhoseBestTrialIsWithinTwoStandardErrorsOfChanceIsAtChance() {
        // 6 classes: chance 16.67 %. Fold-means 20 % and 15 %; each std 7.07 points over 2 folds: standard error 5.
        Optional<String> w = RungNoise.check(0, 1, List.of(List.of(0.15, 0.25), List.of(0.10, 0.20)), 6, false);
        assertTrue(w.isPresent());
        assertTrue(w.get().startsWith("rung 0 (1 epochs) is at chance: its best fold-mean 20.00 %"), w.get());
        assertTrue(w.get().contains("(5.00 points)") && w.get().contains("16.67 % for 6 classes"), w.get());
        assertTrue(w.get().contains("raise search.min-epochs"), w.get());
    }

    @Test
    void aRungWhoseFoldMeansSpanLessThanOneStandardErrorCannotTellItsTrialsApart() {
        // Fold-means 80 % and 78 %, each std 14.14 points over 2 folds: standard error 10; spread 2 < 10.
        Optional<String> w = RungNoise.check(2, 9, List.of(List.of(0.70, 0.90), List.of(0.68, 0.88)), 3, true);
        assertEquals(Optional.of("rung 2 (9 epochs) cannot tell its 2 trials apart: their fold-means span 2.00 "
                + "points, less than one standard error of a fold-mean (10.00 points), so the winner may be chosen "
                + "by noise; train longer (train.epochs) or use more folds."), w);
    }

    @Test
    void aRungThatSeparatesItsTrialsWellAboveChanceIsQuiet() {
        assertEquals(Optional.empty(),
                RungNoise.check(0, 3, List.of(List.of(0.90, 0.92), List.of(0.40, 0.44), List.of(0.60, 0.62)), 3,
                        false));
        // One scored trial, or one fold: nothing to compare.
        assertEquals(Optional.empty(), RungNoise.check(0, 3, List.of(List.of(0.30, 0.34)), 3, false));
        assertEquals(Optional.empty(), RungNoise.check(0, 3, List.of(List.of(0.3), List.of(0.4)), 3, false));
    }
}
