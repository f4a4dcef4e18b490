package org.kpff.job.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed results notebook stays clean and runnable: no outputs in git (executed copies go to target/), the
 * kernel it names is the one {@code mvn package} prepares, and each code cell carries the tag {@link NotebookIT}
 * finds it by. Executing it is {@link NotebookIT}'s job.
 */
class NotebookFileTest {

    static final Path NOTEBOOK = Path.of("..", "notebooks", "results.ipynb");

    @Test
    void theCommittedNotebookHasNoOutputsAndNamesThePreparedKernel() throws Exception {
        JsonNode nb = new ObjectMapper().readTree(NOTEBOOK.toFile());
        assertEquals(4, nb.get("nbformat").asInt());
        // The kernel folder the spark-job pom fills: target/notebook/jupyter/kernels/<name>.
        assertEquals("kpff-java", nb.at("/metadata/kernelspec/name").asText());
        assertTrue(Files.readString(Path.of("pom.xml")).contains("/jupyter/kernels/kpff-java</notebook.kernel.dir>"));
        List<String> tags = new ArrayList<>();
        for (JsonNode cell : nb.get("cells")) {
            if ("code".equals(cell.get("cell_type").asText())) {
                assertEquals(0, cell.get("outputs").size(), "outputs committed in cell " + cell.get("id"));
                assertTrue(cell.get("execution_count").isNull(), "execution count committed in cell " + cell.get("id"));
                tags.add(cell.at("/metadata/tags/0").asText());
            }
        }
        assertEquals(List.of("setup", "overview", "table1", "comparisons", "curves", "confusion", "w"), tags);
    }
}
