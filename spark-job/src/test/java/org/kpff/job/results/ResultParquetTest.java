package org.kpff.job.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.job.results.RunLayout.CellTable;
import org.kpff.job.testing.LocalSpark;
import org.kpff.job.testing.ParquetSchemas;

/** Writes every result table with a local Spark and reads it back with DuckDB (not Spark) and with Spark. */
class ResultParquetTest {

    private static SparkSession spark;

    @TempDir
    static Path out;

    @RegisterExtension
    static final LocalSpark SPARK = LocalSpark.master("local[1]");

    @BeforeAll
    static void bindSpark() {
        spark = SPARK.session();
    }

    private static void write(List<Row> rows, StructType schema, String dir) {
        ResultSchemas.writeTimestampsAsMicros(spark);
        spark.createDataFrame(rows, schema).repartition(1).write().parquet(dir);
    }

    /** Column name to DuckDB type of the Parquet files matched by a glob. */
    private static Map<String, String> describe(Connection db, String glob) throws SQLException {
        return ParquetSchemas.describe(db, "read_parquet('" + glob + "')");
    }

    private static long count(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void assertSchema(Connection db, String glob, StructType schema) throws SQLException {
        ParquetSchemas.assertSchema(db, "read_parquet('" + glob + "')", schema);
    }

    private static <T> void assertSparkRoundTrip(String path, List<T> expected, Function<Row, T> fromRow) {
        List<T> back = spark.read().parquet(path).collectAsList().stream().map(fromRow).collect(Collectors.toList());
        assertEquals(new HashSet<>(expected), new HashSet<>(back), path);
        assertEquals(expected.size(), back.size(), path);
    }

    @Test
    void everyTableRoundTripsThroughParquetAndReadsInDuckDb() throws SQLException {
        RunLayout layout = new RunLayout(out.toUri().toString());
        List<CellResult> cells = ResultFixtures.cells();
        List<ImagePrediction> predictions = ResultFixtures.predictions();
        List<EpochMetrics> metrics = new ArrayList<>();
        for (CellResult c : cells) {
            metrics.add(new EpochMetrics(c.cell(), 5, 1.25, 1.5, 0.5, 30.0));
            metrics.add(new EpochMetrics(c.cell(), 10, 0.75, 1.0, 0.75, 60.0));
        }
        List<FoldAssignment> folds = List.of(new FoldAssignment("x/a.tif", "x", 0),
                new FoldAssignment("y/b.tif", "y", 1), new FoldAssignment("x/c.tif", "x", 2));
        Aggregation agg = Aggregator.aggregate(cells, predictions, ResultFixtures.FOLDS);

        // per-cell tables: the executor commits one folder per cell; here two folders keep the test quick
        for (List<CellResult> part : List.of(cells.subList(0, 6), cells.subList(6, cells.size()))) {
            String folder = part.get(0).cell().cellId();
            List<String> ids = part.stream().map(c -> c.cell().cellId()).toList();
            write(part.stream().map(CellResult::toRow).toList(), ResultSchemas.CELLS,
                    layout.committed(CellTable.CELLS, folder));
            write(metrics.stream().filter(m -> ids.contains(m.cell().cellId())).map(EpochMetrics::toRow).toList(),
                    ResultSchemas.METRICS, layout.committed(CellTable.METRICS, folder));
            write(predictions.stream().filter(x -> ids.contains(x.cell().cellId())).map(ImagePrediction::toRow)
                    .toList(), ResultSchemas.PREDICTIONS, layout.committed(CellTable.PREDICTIONS, folder));
        }
        write(folds.stream().map(FoldAssignment::toRow).toList(), ResultSchemas.FOLDS, layout.foldsParquet());
        write(agg.summary().stream().map(SummaryRow::toRow).toList(), ResultSchemas.SUMMARY, layout.summaryParquet());
        write(agg.comparisons().stream().map(ComparisonRow::toRow).toList(), ResultSchemas.COMPARISONS,
                layout.comparisonsParquet());

        String root = out.toString();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
            Map<String, StructType> globs = new LinkedHashMap<>();
            globs.put(root + "/cells/*/*.parquet", ResultSchemas.CELLS);
            globs.put(root + "/metrics/*/*.parquet", ResultSchemas.METRICS);
            globs.put(root + "/predictions/*/*.parquet", ResultSchemas.PREDICTIONS);
            globs.put(root + "/folds.parquet/**/*.parquet", ResultSchemas.FOLDS);
            globs.put(root + "/summary.parquet/**/*.parquet", ResultSchemas.SUMMARY);
            globs.put(root + "/comparisons.parquet/**/*.parquet", ResultSchemas.COMPARISONS);
            for (Map.Entry<String, StructType> e : globs.entrySet()) {
                assertSchema(db, e.getKey(), e.getValue());
            }
            assertEquals("DOUBLE[]", describe(db, root + "/cells/*/*.parquet").get("learned_w"));
            assertEquals("MAP(VARCHAR, VARCHAR)", describe(db, root + "/cells/*/*.parquet").get("hp"));
            assertEquals("FLOAT[]", describe(db, root + "/predictions/*/*.parquet").get("probabilities"));

            assertEquals(11, count(db, "SELECT count(*) FROM read_parquet('" + root + "/cells/*/*.parquet')"));
            // Timestamps are instants: an ok fixture ran 12.5 s from 10:00 UTC, a failed one 4 s from 10:01 UTC.
            assertEquals(9, count(db, "SELECT count(*) FROM read_parquet('" + root + "/cells/*/*.parquet') WHERE "
                    + "status = 'ok' AND epoch_ms(finished_at) - epoch_ms(started_at) = 12500 AND epoch_ms(started_at)"
                    + " = " + java.time.Instant.parse("2026-11-25T10:00:00Z").toEpochMilli()
                    + " AND executor_id = '1' AND device = 'cuda:0 (Tesla T4)' AND gpu = '0'"));
            assertEquals(2, count(db, "SELECT count(*) FROM read_parquet('" + root + "/cells/*/*.parquet') "
                    + "WHERE status = 'failed' AND final_accuracy IS NULL AND reason IS NOT NULL"));
            assertEquals(3, count(db, "SELECT count(*) FROM read_parquet('" + root + "/cells/*/*.parquet') "
                    + "WHERE fusion = 'kpff' AND len(learned_w) = 4 AND learned_w[4] = 1.1"));
            assertEquals("INTEGER[]", describe(db, root + "/cells/*/*.parquet").get("confusion"));
            assertEquals(9, count(db, "SELECT count(*) FROM read_parquet('" + root + "/cells/*/*.parquet') "
                    + "WHERE status = 'ok' AND confusion = [8, 2, 1, 9]"));
            assertEquals(2, count(db, "SELECT count(*) FROM read_parquet('" + root + "/cells/*/*.parquet') "
                    + "WHERE status = 'failed' AND confusion IS NULL"));
            assertEquals(22, count(db, "SELECT count(*) FROM read_parquet('" + root + "/metrics/*/*.parquet')"));
            assertEquals(12, count(db, "SELECT count(*) FROM read_parquet('" + root + "/predictions/*/*.parquet')"));
            assertEquals(3, count(db, "SELECT count(*) FROM read_parquet('" + root + "/folds.parquet/**/*.parquet')"));
            assertEquals(5, count(db, "SELECT count(*) FROM read_parquet('" + root + "/summary.parquet/**/*.parquet')"));
            assertEquals(1, count(db, "SELECT count(*) FROM read_parquet('" + root
                    + "/summary.parquet/**/*.parquet') WHERE n_folds = 0 AND isnan(mean_final_accuracy)"));
            assertEquals(4, count(db, "SELECT count(*) FROM read_parquet('" + root
                    + "/comparisons.parquet/**/*.parquet')"));
            assertEquals(3, count(db, "SELECT mcnemar_b FROM read_parquet('" + root
                    + "/comparisons.parquet/**/*.parquet') WHERE backbone = 'alexnet' AND fusion = 'kpff' "
                    + "AND baseline = 'none'"));
        }

        // and back through Spark into the same records
        assertSparkRoundTrip(layout.cellsDir() + "/*", cells, CellResult::fromRow);
        assertSparkRoundTrip(layout.metricsDir() + "/*", metrics, EpochMetrics::fromRow);
        assertSparkRoundTrip(layout.predictionsDir() + "/*", predictions, ImagePrediction::fromRow);
        assertSparkRoundTrip(layout.foldsParquet(), folds, FoldAssignment::fromRow);
        assertSparkRoundTrip(layout.comparisonsParquet(), agg.comparisons(), ComparisonRow::fromRow);
        List<SummaryRow> summaryBack = spark.read().parquet(layout.summaryParquet()).collectAsList().stream()
                .map(SummaryRow::fromRow).toList();
        assertEquals(agg.summary().size(), summaryBack.size());
        assertTrue(summaryBack.containsAll(agg.summary().stream().filter(s -> s.nFolds() > 0).toList()));
    }

    @Test
    void rowsWithoutASchemaConvertBackByPosition() {
        CellResult failed = ResultFixtures.failed("vgg16", FusionMethod.KPFF, 0);
        assertEquals(failed, CellResult.fromRow(failed.toRow()));
        assertNull(CellResult.fromRow(failed.toRow()).learnedW());
        ImagePrediction p = ResultFixtures.predictions().get(0);
        assertEquals(p, ImagePrediction.fromRow(p.toRow()));
    }

    @Test
    void everyColumnIsDocumented() {
        for (Map.Entry<String, StructType> e : ResultSchemas.all().entrySet()) {
            for (StructField f : e.getValue().fields()) {
                assertTrue(f.getComment().isDefined() && !f.getComment().get().isBlank(), e.getKey() + "." + f.name());
            }
        }
        String md = ResultSchemas.markdown();
        assertTrue(md.contains("| `learned_w` | array<double> | yes |"), md);
        assertTrue(md.contains("| `hp` | map<string,string> | no |"), md);
    }
}
