package org.kpff.job.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kpff.job.config.JobConfig;
import org.kpff.job.results.ParquetVersionStamp;
import org.kpff.job.results.RunLayout;
import org.kpff.job.results.SchemaVersion;
import org.kpff.job.testing.LocalSpark;

/**
 * Runs written by earlier releases, committed under {@code fixtures/} (see its README: which commit wrote each and
 * how): today's build summarizes, resumes, checks and reads each of them, and refuses a run of a newer version.
 */
class OlderRunsTest {

    @RegisterExtension
    static final LocalSpark SPARK = LocalSpark.master("local[2]");

    private static final String F0 = "alexnet-kpff-f0-e3b0c442";
    private static final String F1 = "alexnet-kpff-f1-e3b0c442";

    @TempDir
    Path tmp;

    /** A writable copy of a fixture run and of the dataset it trained on (at another path than it was written at). */
    private Path copy(String version) throws IOException, URISyntaxException {
        Path fixtures = Path.of(getClass().getClassLoader().getResource("fixtures").toURI());
        copyTree(fixtures.resolve("data"), tmp.resolve("data"));
        copyTree(fixtures.resolve("run-" + version), tmp.resolve("run"));
        return tmp.resolve("run");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static List<List<Object>> duck(String sql) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:"); Statement s = db.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            List<List<Object>> rows = new ArrayList<>();
            while (r.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                    row.add(r.getObject(i));
                }
                rows.add(row);
            }
            return rows;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void summarizeReadsTheOldTablesAndSaysWhatTheyDidNotRecord(String version) throws Exception {
        Path run = copy(version);
        List<List<Object>> acc = duck("SELECT final_accuracy FROM read_parquet('" + run
                + "/cells/*/*.parquet') ORDER BY cell_id");
        double a = (Double) acc.get(0).get(0);
        double b = (Double) acc.get(1).get(0);
        double mean = (a + b) / 2;
        double std = Math.abs(a - b) / Math.sqrt(2);

        String md = new JobDriver(SPARK.session()).summarize(run.toString());

        assertTrue(md.contains(String.format(Locale.ROOT, "| KPFF | %.2f ± %.2f |", 100 * mean, 100 * std)), md);
        if (version.equals("v1")) {
            assertTrue(md.contains("Engine: not recorded (2 cells). Device: not recorded (2 cells)."), md);
        } else {
            assertFalse(md.contains("not recorded (2 cells)"), md);
            assertTrue(md.contains("Device: cpu (2 cells)."), md);
        }
        Path summary = Files.list(run.resolve("summary.parquet")).filter(p -> p.toString().endsWith(".parquet"))
                .findFirst().orElseThrow();
        assertEquals(OptionalInt.of(SchemaVersion.CURRENT), ParquetVersionStamp.read(
                new org.apache.hadoop.fs.Path(summary.toUri()), new Configuration()));
        assertEquals(List.of(List.of(2L)), duck("SELECT n_folds::BIGINT FROM read_parquet('" + run
                + "/summary.parquet/*.parquet')"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void resumeTrainsTheMissingCellInTodaysLayoutBesideTheOldOnes(String version) throws Exception {
        Path run = copy(version);
        RunLayout layout = new RunLayout(run.toString());
        for (String table : List.of("cells", "metrics", "predictions")) {
            deleteTree(run.resolve(table).resolve(F1)); // as if the run had stopped before f1 committed
        }
        Configuration conf = new Configuration();
        RunInfo before = RunInfo.read(layout.runJson(), conf).orElseThrow();
        assertEquals(version.equals("v1") ? 1 : 2, before.schemaVersion());
        List<String> notes = RunDataset.oldCheckpoints(before, layout, conf);
        if (version.equals("v1")) {
            assertEquals(List.of("Cells " + F1 + " of this run (output schema version 1) have checkpoints of the first"
                    + " format (history.tsv), which this build cannot resume: they train again from scratch; to keep"
                    + " their epochs, finish them with the release that wrote the run."), notes);
        } else {
            assertEquals(List.of(), notes);
        }
        JobConfig config = JobConfig.parse(before.text("config_hocon"), layout.runJson(), List.of());

        JobDriver.Report report = new JobDriver(SPARK.session()).run(config, tmp.resolve("data").toString(),
                run.toString(), true, List.of("run", "--resume"));

        assertEquals(1, report.skipped());
        assertEquals(1, report.ok());
        RunInfo after = RunInfo.read(layout.runJson(), conf).orElseThrow();
        assertEquals(SchemaVersion.CURRENT, after.json().path("schema_version").asInt());
        assertEquals(SchemaVersion.CURRENT, after.schemaVersion());
        // Old and new cell files side by side: DuckDB unions them by name, the old row's new columns are null.
        List<List<Object>> rows = duck("SELECT cell_id, engine IS NULL, resumed_from, typeof(started_at), "
                + "started_at IS NULL FROM read_parquet('" + run + "/cells/*/*.parquet', union_by_name = true) "
                + "ORDER BY cell_id");
        assertEquals(F0, rows.get(0).get(0));
        assertEquals(version.equals("v1"), rows.get(0).get(1));
        assertEquals(F1, rows.get(1).get(0));
        assertEquals(false, rows.get(1).get(1));
        assertEquals(version.equals("v1") ? 0 : 1, rows.get(1).get(2), "v2's checkpoint of f1 resumes, v1's cannot");
        assertEquals("TIMESTAMP WITH TIME ZONE", rows.get(1).get(3));
        assertEquals(false, rows.get(1).get(4));
        assertEquals(List.of(List.of("INT64", true, true)), duck("SELECT type, logical_type LIKE '%MICROS%', "
                + "logical_type LIKE '%isAdjustedToUTC=1%' FROM parquet_schema('" + run + "/cells/" + F1
                + "/*.parquet') WHERE name = 'started_at'"));
        assertEquals(List.of(List.of("INT96")), duck("SELECT type FROM parquet_schema('" + run + "/cells/" + F0
                + "/*.parquet') WHERE name = 'started_at'" + (version.equals("v1") ? " UNION ALL SELECT 'INT96'" : "")));
        Path newCell = Files.list(run.resolve("cells").resolve(F1)).filter(p -> p.toString().endsWith(".parquet"))
                .findFirst().orElseThrow();
        Path oldCell = Files.list(run.resolve("cells").resolve(F0)).filter(p -> p.toString().endsWith(".parquet"))
                .findFirst().orElseThrow();
        assertEquals(OptionalInt.of(SchemaVersion.CURRENT),
                ParquetVersionStamp.read(new org.apache.hadoop.fs.Path(newCell.toUri()), conf));
        assertEquals(OptionalInt.empty(), ParquetVersionStamp.read(new org.apache.hadoop.fs.Path(oldCell.toUri()), conf));
        assertTrue(report.summary().contains("| KPFF |"), report.summary());
    }

    @org.junit.jupiter.api.Test
    void equivalenceFoldsTheCheckpointsOfVersion2() throws Exception {
        Path run = copy("v2");
        EquivalenceCheck.Report report = EquivalenceCheck.run(run.toString(), tmp.resolve("data").toString(),
                new Configuration());
        assertEquals(2, report.checked());
        assertTrue(report.allIdentical(), report.markdown());
        assertTrue(Files.exists(run.resolve("equivalence.md")));
    }

    @org.junit.jupiter.api.Test
    void equivalenceSaysWhyTheNetworksOfVersion1CannotBeFolded() throws Exception {
        Path run = copy("v1");
        EquivalenceCheck.Report report = EquivalenceCheck.run(run.toString(), tmp.resolve("data").toString(),
                new Configuration());
        assertEquals(0, report.checked());
        assertEquals(List.of(EquivalenceCheck.Outcome.OTHER_NETWORK, EquivalenceCheck.Outcome.OTHER_NETWORK),
                report.cells().stream().map(EquivalenceCheck.CellCheck::outcome).toList());
        assertTrue(report.markdown().contains("| " + F0 + " | AlexNet | 0 | — | — | not checked: the checkpoint's "
                + "network (output schema version 1) is not the one this build makes of the run's config; check it"
                + " with the release that wrote the run | — |"), report.markdown());
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void aRunOfANewerVersionIsRefused(String version) throws Exception {
        Path run = copy(version);
        RunLayout layout = new RunLayout(run.toString());
        Configuration conf = new Configuration();
        RunInfo info = RunInfo.read(layout.runJson(), conf).orElseThrow();
        ((ObjectNode) info.json()).put("schema_version", SchemaVersion.CURRENT + 1);
        info.write(layout.runJson(), conf);
        String expected = "The run at " + run + " was written in output schema version " + (SchemaVersion.CURRENT + 1)
                + " (run.json schema_version) by a newer release";
        IllegalArgumentException summarize = assertThrows(IllegalArgumentException.class,
                () -> new JobDriver(SPARK.session()).summarize(run.toString()));
        assertTrue(summarize.getMessage().startsWith(expected), summarize.getMessage());
        assertTrue(summarize.getMessage().endsWith("this build reads versions 1 to " + SchemaVersion.CURRENT
                + ": use that release or a newer one."), summarize.getMessage());
        JobConfig config = JobConfig.parse(info.text("config_hocon"), layout.runJson(), List.of());
        IllegalArgumentException resume = assertThrows(IllegalArgumentException.class,
                () -> new JobDriver(SPARK.session()).run(config, tmp.resolve("data").toString(), run.toString(), true,
                        List.of("run", "--resume")));
        assertTrue(resume.getMessage().startsWith(expected), resume.getMessage());
        IllegalArgumentException equivalence = assertThrows(IllegalArgumentException.class,
                () -> EquivalenceCheck.run(run.toString(), tmp.resolve("data").toString(), conf));
        assertTrue(equivalence.getMessage().startsWith(expected), equivalence.getMessage());
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
