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
}
