package org.kpff.job.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** decisions.json: a written journal reads back equal; a journal of the format before per-fold seeds is refused. */
class DecisionJournalTest {

    @TempDir
    Path tmp;

    @Test
    void aJournalRoundTripsAndAnOlderFormatIsRefusedOnResume() throws Exception {
        SortedMap<String, String> point = new TreeMap<>(java.util.Map.of("train.learning-rate", "0.003"));
        DecisionJournal j = new DecisionJournal("asha", 5, 3, List.of(3, 9), List.of(point),
                List.of(new Decision(0, 0, Action.PROMOTE, 0.5), new Decision(0, 1, Action.COMPLETE, 0.75)));
        Path file = tmp.resolve("decisions.json");
        Files.writeString(file, j.toJson());
        assertTrue(Files.readString(file).contains("\"format\" : 2"));
        assertEquals(j, DecisionJournal.read(file.toUri().toString(), new Configuration()).orElseThrow());

        Files.writeString(file, j.toJson().replace("\"format\" : 2", "\"format\" : 1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DecisionJournal.read(file.toUri().toString(), new Configuration()));
        assertTrue(e.getMessage().contains("has format 1") && e.getMessage().contains("another --out"),
                e.getMessage());
    }

    @Test
    void bracketsAndABudgetRoundTripAndAJournalWithoutThemReadsAsOneBracketWithoutABudget() throws Exception {
        SortedMap<String, String> point = new TreeMap<>(java.util.Map.of("train.learning-rate", "0.003"));
        DecisionJournal j = new DecisionJournal("hyperband", 5, 3, List.of(1, 3), List.of(point, point),
                List.of(new Decision(0, 0, Action.PROMOTE, 0.5), new Decision(1, 1, Action.COMPLETE, 0.7, 0, 1),
                        new Decision(0, 1, Action.OVER_BUDGET, 0.6)), new DecisionJournal.Budget(40, 2, true, 9));
        Path file = tmp.resolve("decisions.json");
        Files.writeString(file, j.toJson());
        String text = Files.readString(file);
        assertTrue(text.contains("\"bracket\" : 1") && text.contains("\"action\" : \"over-budget\"")
                && text.contains("\"trials_started\" : 2") && text.contains("\"trials_capacity\" : 9"), text);
        assertEquals(j, DecisionJournal.read(file.toUri().toString(), new Configuration()).orElseThrow());

        // An older journal: no bracket, no budget.
        Files.writeString(file, new DecisionJournal("asha", 5, 3, List.of(1, 3), List.of(point),
                List.of(new Decision(0, 0, Action.PROMOTE, 0.5))).toJson());
        DecisionJournal old = DecisionJournal.read(file.toUri().toString(), new Configuration()).orElseThrow();
        assertEquals(null, old.budget());
        assertEquals(0, old.decisions().get(0).bracket());
        // Decisions are compared rung by rung within each bracket: interleaving across brackets is free.
        List<Decision> a = List.of(new Decision(0, 1, Action.STOP, 0.5, 0, 1), new Decision(1, 0, Action.STOP, 0.4));
        assertEquals(java.util.Optional.empty(), DecisionJournal.firstConflict(a, List.of(a.get(1), a.get(0))));
        assertTrue(DecisionJournal.firstConflict(a, List.of(a.get(1), new Decision(0, 1, Action.STOP, 0.5)))
                .orElseThrow().contains("of bracket 1"));
    }
}
