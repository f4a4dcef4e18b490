package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.kpff.job.results.SummaryMarkdown;

/** How many of a run's planned cells its summary holds, from run.json's latest attempt. */
class RunCoverageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aGridsPlannedCellsAreItsLatestAttemptsPlannedAndAlreadyCommitted() throws Exception {
        String grid = "{\"config\": {\"search.strategy\": \"none\"}, \"attempts\": [{\"cells_planned\": 24, "
                + "\"cells_already_committed\": 0}, {\"cells_planned\": 12, \"cells_already_committed\": 12}]}";
        assertEquals(new SummaryMarkdown.Coverage(15, 24), ResultWriter.coverage(JSON.readTree(grid), 15));
    }

    @Test
    void aSearchOrARunJsonWithoutPlannedCellsHasNone() throws Exception {
        assertNull(ResultWriter.coverage(JSON.readTree("{\"config\": {\"search.strategy\": \"asha\"}, \"attempts\": "
                + "[{\"cells_planned\": 3, \"cells_already_committed\": 0}]}"), 3));
        assertNull(ResultWriter.coverage(JSON.readTree("{\"config\": {}, \"attempts\": [{\"started\": \"x\"}]}"), 0));
        assertNull(ResultWriter.coverage(JSON.readTree("{}"), 0));
    }
}
