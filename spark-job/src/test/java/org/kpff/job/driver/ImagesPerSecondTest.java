package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.stream.IntStream;
import org.kpff.core.train.CellOutcome;
import org.kpff.core.train.EpochEvaluation;
import org.junit.jupiter.api.Test;

/** The cells table's images_per_second counts what the attempt trained on and evaluated, resumed or not. */
class ImagesPerSecondTest {

    /** 100 images, 20 held out: 80 trained per epoch, 20 per evaluation. */
    private static Double rate(int epochs, int resumedFrom, double seconds, int... evaluatedEpochs) {
        List<EpochEvaluation> evals = IntStream.of(evaluatedEpochs).mapToObj(e -> new EpochEvaluation(e, 1, 1, 0.5, e))
                .toList();
        CellOutcome o = new CellOutcome(evals, List.of(), 0.5, 0.5, epochs, epochs, resumedFrom, seconds, null,
                "cpu-plain", new int[][] {{1}});
        return ResultWriter.imagesPerSecond(o, 100, 20);
    }

    @Test
    void aFreshCellCountsEveryEpochAndEveryEvaluation() {
        assertEquals((4 * 80 + 2 * 20) / 10.0, rate(4, 0, 10, 2, 4), 1e-12);
    }

    @Test
    void aLastEpochOffTheScheduleAddsTheFinalEvaluation() {
        assertEquals((5 * 80 + 3 * 20) / 10.0, rate(5, 0, 10, 2, 4), 1e-12);
    }

    @Test
    void aResumedCellCountsOnlyWhatThisAttemptDid() {
        // Restored after epoch 2: trains epochs 3 and 4, evaluates after 4 (epoch 2's evaluation is restored).
        assertEquals((2 * 80 + 20) / 5.0, rate(4, 2, 5, 2, 4), 1e-12);
        // Restored after the last epoch: trains nothing, evaluates once to get the final predictions.
        assertEquals(20 / 2.0, rate(4, 4, 2, 2, 4), 1e-12);
    }

    @Test
    void noMeasurableTimeGivesNull() {
        assertNull(rate(4, 0, 0, 2, 4));
    }
}
