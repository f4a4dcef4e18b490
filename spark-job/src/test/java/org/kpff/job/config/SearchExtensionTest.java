package org.kpff.job.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What --resume accepts of a changed config: a search's trial count may grow, nothing else may change. */
class SearchExtensionTest {

    static JobConfig asha(String more) {
        return JobConfig.parse("model { backbones = [alexnet], methods = [kpff] }\ntrain.epochs = 9\nsearch { "
                + "strategy = asha, eta = 3, " + more + ", space { \"train.learning-rate\" = { log-uniform = [1e-4, "
                + "0.1] } } }", "test.conf", List.of());
    }

    @Test
    void aLargerTrialCountExtendsTheSearch() {
        List<ConfigDifference> grown = SearchExtension.check(asha("trials = 3"), asha("trials = 5"), "out");
        assertEquals(1, grown.size());
        assertEquals("search.trials", grown.get(0).key());
        assertEquals("3", grown.get(0).left());
        assertEquals("5", grown.get(0).right());
        assertEquals(List.of(), SearchExtension.check(asha("trials = 3"), asha("trials = 3"), "out"));
    }

    @Test
    void aSmallerTrialCountIsRefusedNamingBothValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SearchExtension.check(asha("trials = 5"), asha("trials = 4"), "out"));
        assertTrue(e.getMessage().contains("search.trials = 4") && e.getMessage().contains("started with "
                + "search.trials = 5") && e.getMessage().contains(">= 5"), e.getMessage());
    }

    @Test
    void anyOtherChangeIsRefusedNamingTheKeyAndItsOldAndNewValueEvenWithMoreTrials() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SearchExtension.check(asha("trials = 3"), asha("trials = 5, eta = 2"), "out"));
        assertTrue(e.getMessage().contains("search.eta: 3 -> 2") && !e.getMessage().contains("search.trials: ")
                && e.getMessage().contains("only search.trials may change"), e.getMessage());
        JobConfig plain = JobConfig.parse("model { backbones = [alexnet], methods = [kpff] }", "t.conf", List.of());
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> SearchExtension.check(plain, plain.withOverrides(java.util.Map.of("train.epochs", "7")), "out"));
        assertTrue(p.getMessage().contains("train.epochs: ") && p.getMessage().contains("-> 7")
                && !p.getMessage().contains("search.trials"), p.getMessage());
    }

    @Test
    void zeroTrialsMeansEveryPointSoItIsTheLargest() {
        assertTrue(SearchExtension.grows("3", "0"));
        assertTrue(SearchExtension.grows("3", "4"));
        assertEquals(false, SearchExtension.grows("0", "4"));
        assertEquals(false, SearchExtension.grows("4", "3"));
    }
}
