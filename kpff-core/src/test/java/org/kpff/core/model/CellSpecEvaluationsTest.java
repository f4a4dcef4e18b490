package org.kpff.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;

/** A cell's evaluation schedule: counted and tested without listing it, equal to the list where one is made. */
class CellSpecEvaluationsTest {

    private static CellSpec spec(int epochs, int every) {
        return new CellSpec("alexnet", FusionMethod.KPFF, 3, 32, 0.125, 8, FusionInit.IDENTITY, true, 0, 1e-3, 0, 2,
                epochs, every, 1L);
    }

    @Test
    void countAndMembershipAgreeWithTheListedEpochs() {
        for (int epochs = 1; epochs <= 25; epochs++) {
            for (int every = 1; every <= 12; every++) {
                CellSpec s = spec(epochs, every);
                List<Integer> listed = s.evaluationEpochs();
                assertEquals(listed.size(), s.evaluationCount(), epochs + " epochs every " + every);
                assertEquals(listed, IntStream.rangeClosed(0, epochs + 1).filter(s::evaluatesAfter).boxed().toList(),
                        epochs + " epochs every " + every);
            }
        }
        assertEquals(List.of(10, 20, 25), spec(25, 10).evaluationEpochs());
    }

    @Test
    void aHugeEpochCountIsCountedNotListed() {
        // 2e9 epochs evaluated after each: a list of them would not fit in an array (what `plan` built before).
        CellSpec s = spec(2_000_000_000, 1);
        assertEquals(2_000_000_000L, s.evaluationCount());
        assertEquals(200_000_000L, spec(2_000_000_000, 10).evaluationCount());
        assertEquals(1L, spec(2_000_000_000, Integer.MAX_VALUE).evaluationCount());
        assertEquals(true, s.evaluatesAfter(1_999_999_999) && s.evaluatesAfter(2_000_000_000));
    }
}
