package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kpff.job.config.SearchConfig;
import org.kpff.job.config.SearchSpace;
import org.kpff.job.config.SearchStrategy;
import org.kpff.job.search.HyperbandBrackets.Bracket;
import org.kpff.job.search.HyperbandBrackets.Rung;

class HyperbandBracketsTest {

    private static List<Rung> rungs(int... trialsThenEpochs) {
        List<Rung> out = new java.util.ArrayList<>();
        for (int i = 0; i < trialsThenEpochs.length; i += 2) {
            out.add(new Rung(trialsThenEpochs[i + 1], trialsThenEpochs[i]));
        }
        return out;
    }

    @Test
    void r81Eta3IsThePapersTable1() {
        HyperbandBrackets hb = HyperbandBrackets.of(1, 81, 3, 0);
        assertEquals(5, hb.available());
        assertEquals(List.of(
                new Bracket(4, rungs(81, 1, 27, 3, 9, 9, 3, 27, 1, 81)),
                new Bracket(3, rungs(34, 3, 11, 9, 3, 27, 1, 81)),
                new Bracket(2, rungs(15, 9, 5, 27, 1, 81)),
                new Bracket(1, rungs(8, 27, 2, 81)),
                new Bracket(0, rungs(5, 81))), hb.brackets());
        assertEquals(81 + 34 + 15 + 8 + 5, hb.trials());
        // Continuing from checkpoints: 81·1 + 27·2 + 9·6 + 3·18 + 1·54 = 297 epochs per fold in bracket 4.
        assertEquals(297, hb.brackets().get(0).epochCellsPerFold());
        assertEquals(5 * 81, hb.brackets().get(4).epochCellsPerFold());
    }

    @Test
    void countTakesTheMostExploratoryBracketsFirst() {
        HyperbandBrackets hb = HyperbandBrackets.of(1, 81, 3, 2);
        assertEquals(List.of(4, 3), hb.brackets().stream().map(Bracket::s).toList());
        assertEquals(List.of(3, 9, 27, 81), hb.brackets().get(1).epochs());
    }

    @ParameterizedTest
    @CsvSource({"1, 81, 3", "2, 50, 3", "1, 9, 2", "3, 200, 4", "5, 5, 3", "1, 100, 10"})
    void theFirstBracketHasSuccessiveHalvingsRungs(int min, int max, int eta) {
        SearchConfig asha = new SearchConfig(SearchStrategy.ASHA, 10, 1L, eta, min, SearchSpace.EMPTY, false);
        HyperbandBrackets hb = HyperbandBrackets.of(min, max, eta, 0);
        assertEquals(SearchTrials.rungs(asha, max), hb.brackets().get(0).epochs());
        for (Bracket b : hb.brackets()) {
            assertEquals(max, b.epochs().get(b.epochs().size() - 1));
            assertEquals(b.s() + 1, b.rungs().size());
        }
    }

    @Test
    void unevenRatioRoundsEpochs() {
        // r = 2, R = 50, η = 3: s_max = 2 (2·9 = 18 <= 50 < 54); rungs round(50/9) = 6, round(50/3) = 17, 50.
        HyperbandBrackets hb = HyperbandBrackets.of(2, 50, 3, 0);
        assertEquals(List.of(new Bracket(2, rungs(9, 6, 3, 17, 1, 50)), new Bracket(1, rungs(5, 17, 1, 50)),
                new Bracket(0, rungs(3, 50))), hb.brackets());
    }

    @Test
    void refusesBadArguments() {
        assertEquals("eta = 1: must be at least 2",
                assertThrows(IllegalArgumentException.class, () -> HyperbandBrackets.of(1, 81, 1, 0)).getMessage());
        assertEquals("minEpochs = 0: must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> HyperbandBrackets.of(0, 81, 3, 0)).getMessage());
        assertEquals("maxEpochs = 4: must be at least minEpochs = 5",
                assertThrows(IllegalArgumentException.class, () -> HyperbandBrackets.of(5, 4, 3, 0)).getMessage());
        assertEquals("count = 6: must be 0 (all) or 1..5 (s_max + 1 for minEpochs = 1, maxEpochs = 81, eta = 3)",
                assertThrows(IllegalArgumentException.class, () -> HyperbandBrackets.of(1, 81, 3, 6)).getMessage());
    }
}
