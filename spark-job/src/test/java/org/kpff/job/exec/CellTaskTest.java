package org.kpff.job.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.kpff.core.data.Folds;
import org.kpff.core.data.NormalizationSource;

/** What a cell trains on: every fold but its own, and for a nested search's inner cell, but its outer fold too. */
class CellTaskTest {

    /** 9 images over 3 folds: image i is in fold i % 3. */
    static final Folds FOLDS = Folds.of(3, 1L, new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2});

    static CellTask task(int fold, Integer outer) {
        return new CellTask("c", null, null, FOLDS, fold, NormalizationSource.FIXED, false, false, null, null, outer);
    }

    @Test
    void anInnerCellTrainsOnNeitherItsHeldOutFoldNorItsOuterFold() {
        assertArrayEquals(new int[] {1, 2, 4, 5, 7, 8}, task(0, null).trainIndices());
        // Inner cell of outer fold 2, validated on fold 0: trains on fold 1 only.
        assertArrayEquals(new int[] {1, 4, 7}, task(0, 2).trainIndices());
        assertArrayEquals(new int[] {0, 3, 6}, task(1, 2).trainIndices());
        // The outer refit (fold = outer fold) trains on all other folds, as an ordinary cell.
        assertArrayEquals(new int[] {0, 1, 3, 4, 6, 7}, task(2, 2).trainIndices());
    }
}
