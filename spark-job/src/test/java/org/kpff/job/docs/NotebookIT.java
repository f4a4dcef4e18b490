package org.kpff.job.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kpff.core.data.SyntheticScenes;
import org.kpff.core.fusion.FusionMethod;
import org.kpff.core.testing.TestData;
import org.kpff.job.config.JobConfig;
import org.kpff.job.driver.JobDriver;
import org.kpff.job.results.PaperTable1;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The results notebook executed end to end: the real job writes a small run (local Spark, generated scenes, every
 * fusion method on AlexNet), {@code jupyter nbconvert --execute} runs {@code notebooks/results.ipynb} against it on
 * the Java kernel that {@code mvn package} prepared, and every table the notebook shows is checked against the run's
 * Parquet read here with DuckDB. Skips when Jupyter's nbconvert is not installed, except under {@code CI=true}, where
 * that fails (CI installs it: {@code .ci/run}).
 */
class NotebookIT {

    /** 3 classes × 8 images, 2 folds: 12 held-out images per fold, every image held out once. */
    static final int CLASSES = 3;
    static final int PER_CLASS = 8;
    static final int IMAGES = CLASSES * PER_CLASS;
    static final Path NOTEBOOK = TestData.repoRoot().resolve("notebooks").resolve("results.ipynb");
    /** The Jupyter data folder {@code mvn package} fills (pom: notebook.dir); surefire and failsafe run here. */
    static final Path JUPYTER_PATH = Path.of("target", "notebook", "jupyter").toAbsolutePath();
    /** Where the executed copy goes (never beside the committed notebook). */
    static final Path EXECUTED = Path.of("target", "notebook", "executed").toAbsolutePath();
    static final Pattern TD = Pattern.compile("<td[^>]*>([^<]*)</td>");
    /** Kernel starts nbconvert may try (see {@link #execute}); a start answers within seconds when it works. */
    static final int STARTS = 5;
    static final int STARTUP_SECONDS = 30;
    static final Logger LOG = LoggerFactory.getLogger(NotebookIT.class);

    @Test
    void theNotebookRunsOnARealRunAndShowsItsTables(@TempDir Path tmp) throws Exception {
        requireNbconvert();
        Path kernel = JUPYTER_PATH.resolve("kernels").resolve("kpff-java").resolve("kernel.json");
        assertTrue(Files.exists(kernel), "no notebook kernel at " + kernel + ": mvn package writes it (spark-job pom)");

        Path run = tmp.resolve("run");
        writeRun(tmp.resolve("data").toUri().toString(), run.toUri().toString());

        execute(run);

        JsonNode nb = new ObjectMapper().readTree(EXECUTED.resolve("results.ipynb").toFile());
        for (JsonNode cell : nb.get("cells")) {
            for (JsonNode out : cell.path("outputs")) {
                assertNotEquals("error", out.path("output_type").asText(), "error output: " + out);
            }
        }
        assertTrue(text(nb, "setup").contains("Run " + run + ": 2 folds, " + CLASSES + " classes"), text(nb, "setup"));

        try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
            assertTable1(nb, db, run);
            assertCurves(nb);
            assertConfusion(nb, db, run);
            assertLearnedW(nb, db, run);
        }
    }

    /**
     * The runs of earlier output schema versions that releases before this one wrote (fixtures/, see its README):
     * the notebook reads each; a version-1 run has no confusion column, so its matrix is counted from predictions.
     */
    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void theNotebookReadsRunsOfEarlierVersions(String version, @TempDir Path tmp) throws Exception {
        requireNbconvert();
        Path run = tmp.resolve("run-" + version);
        Path fixture = Path.of(NotebookIT.class.getClassLoader().getResource("fixtures/run-" + version).toURI());
        try (var files = Files.walk(fixture)) {
            for (Path p : files.toList()) {
                Path target = run.resolve(fixture.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }

        execute(run);

        JsonNode nb = new ObjectMapper().readTree(EXECUTED.resolve("results.ipynb").toFile());
        for (JsonNode cell : nb.get("cells")) {
            for (JsonNode out : cell.path("outputs")) {
                assertNotEquals("error", out.path("output_type").asText(), "error output: " + out);
            }
        }
        assertTrue(text(nb, "setup").contains("Run " + run + ": 2 folds, " + CLASSES
                + " classes, output schema version 1 or 2 (not recorded)"), text(nb, "setup"));
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:")) {
            List<Object> kpff = rows(db, "SELECT mean_final_accuracy, std_final_accuracy FROM read_parquet('" + run
                    + "/summary.parquet/*.parquet')").get(0);
            String table1 = html(nb, "table1");
            assertTrue(table1.contains(String.format(Locale.ROOT, "<td>%.2f ± %.2f</td>", 100 * (Double) kpff.get(0),
                    100 * (Double) kpff.get(1))), table1);
            assertConfusion(nb, db, run);
            assertLearnedW(nb, db, run);
        }
        assertEquals(version.equals("v1"), html(nb, "confusion").contains("2 of its cells counted from their "
                + "predictions (written before the confusion column)"), html(nb, "confusion"));
    }

    /**
     * Runs {@code jupyter nbconvert --execute} on the notebook against {@code run}, into {@link #EXECUTED}. The kernel
     * (rapaio 3.0.1) has a start-up race: each channel's loop thread is started before its running flag is set, so
     * under CPU load the shell loop can exit at once and the kernel never answers; nbconvert then fails with "Kernel
     * didn't respond". Only that failure is retried, with a fresh kernel, up to {@link #STARTS} times.
     */
    static void execute(Path run) throws IOException, InterruptedException {
        Files.createDirectories(EXECUTED);
        Path log = EXECUTED.resolve("nbconvert.log");
        for (int start = 1; ; start++) {
            ProcessBuilder pb = new ProcessBuilder("jupyter", "nbconvert", "--to", "notebook", "--execute",
                    NOTEBOOK.toString(), "--output-dir", EXECUTED.toString(), "--ExecutePreprocessor.timeout=300",
                    "--ExecutePreprocessor.startup_timeout=" + STARTUP_SECONDS)
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("KPFF_RUN", run.toString());
            pb.environment().put("JUPYTER_PATH", JUPYTER_PATH.toString());
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail("jupyter nbconvert did not finish in 10 minutes; log: " + log);
            }
            if (p.exitValue() == 0) {
                return;
            }
            String out = Files.readString(log);
            if (!out.contains("Kernel didn't respond") || start == STARTS) {
                fail("jupyter nbconvert --execute failed (kernel start " + start + " of " + STARTS + "):\n" + tail(log));
            }
            LOG.warn("The notebook kernel did not answer within {} s (start {} of {}); starting a fresh one",
                    STARTUP_SECONDS, start, STARTS);
        }
    }

    /** Skips (or, with CI=true, fails) when {@code jupyter nbconvert} cannot be run. */
    static void requireNbconvert() throws InterruptedException {
        String problem = null;
        try {
            Process v = new ProcessBuilder("jupyter", "nbconvert", "--version").redirectErrorStream(true).start();
            String out = new String(v.getInputStream().readAllBytes());
            if (!v.waitFor(60, TimeUnit.SECONDS) || v.exitValue() != 0) {
                problem = "jupyter nbconvert --version failed: " + out.strip();
            }
        } catch (IOException e) {
            problem = "jupyter is not installed (" + e.getMessage() + ")";
        }
        if (problem == null) {
            return;
        }
        String install = "; install it with apt-get install --no-install-recommends jupyter-notebook jupyter-nbconvert "
                + "(the README's line; .ci/run installs jupyter-nbconvert)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(problem + install + ": CI=true requires the results notebook to run");
        }
        TestData.skip("NotebookIT", problem + install + ": skipping the notebook test (optional outside CI)");
    }

    /** The job on a local Spark: AlexNet × all four methods × 2 folds, 16 px, 2 epochs evaluated after each. */
    static void writeRun(String data, String out) throws IOException {
        SyntheticScenes.generate(data, CLASSES, PER_CLASS, 16, 5, new Configuration());
        JobConfig config = JobConfig.loadResource(JobConfig.SMOKE_RESOURCE, List.of("data.input-size=16",
                "data.folds=2", "model.width=0.125", "model.projection-width=8", "train.epochs=2",
                "train.batch-size=8", "eval.every=1", "model.backbones=[alexnet]", "train.learning-rate=0.003"));
        SparkSession spark = SparkSession.builder().master("local[2]").appName("NotebookIT")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
        try {
            JobDriver.Report report = new JobDriver(spark).run(config, data, out, false, List.of("run"));
            assertEquals(8, report.ok(), report.toString());
        } finally {
            spark.stop();
        }
    }

    /** Table 1: one row per method, "mean ± std" of the final accuracy and the paper's number for AlexNet. */
    static void assertTable1(JsonNode nb, Connection db, Path run) throws SQLException {
        List<String> expected = new ArrayList<>();
        for (FusionMethod m : FusionMethod.values()) {
            List<Object> r = rows(db, "SELECT mean_final_accuracy, std_final_accuracy FROM read_parquet('" + run
                    + "/summary.parquet/*.parquet') WHERE backbone = 'alexnet' AND fusion = ?", m.id()).get(0);
            expected.add(String.format(Locale.ROOT, "%.2f ± %.2f", 100 * (Double) r.get(0), 100 * (Double) r.get(1)));
            expected.add(String.format(Locale.ROOT, "%.2f", PaperTable1.accuracyPercent(m, "alexnet").getAsDouble()));
        }
        String html = html(nb, "table1");
        assertEquals(expected, tds(html), html);
        assertTrue(html.contains("<th>original</th>") && html.contains("<th>KPFF</th>"), html);
    }

    /** One learning-curve chart (one backbone), a real PNG of the size the notebook asks XChart for. */
    static void assertCurves(JsonNode nb) throws IOException {
        List<String> pngs = new ArrayList<>();
        for (JsonNode out : cell(nb, "curves").get("outputs")) {
            if (out.path("data").has("image/png")) {
                pngs.add(out.path("data").get("image/png").asText());
            }
        }
        assertEquals(1, pngs.size(), "one chart per backbone");
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getMimeDecoder().decode(pngs.get(0))));
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
    }

    /**
     * The confusion matrix of the group with the highest mean final accuracy (ties by name), its predictions pooled
     * over the folds: every image counted once.
     */
    static void assertConfusion(JsonNode nb, Connection db, Path run) throws SQLException {
        List<Object> best = rows(db, "SELECT backbone, fusion FROM read_parquet('" + run + "/summary.parquet/*.parquet') "
                + "ORDER BY mean_final_accuracy DESC, backbone, fusion LIMIT 1").get(0);
        List<String> classes = new ArrayList<>();
        for (List<Object> r : rows(db, "SELECT DISTINCT label FROM read_parquet('" + run + "/folds.parquet/*.parquet') "
                + "ORDER BY label")) {
            classes.add((String) r.get(0));
        }
        int[][] m = new int[CLASSES][CLASSES];
        for (List<Object> r : rows(db, "SELECT label, predicted, count(*) FROM read_parquet('" + run
                + "/predictions/*/*.parquet') WHERE backbone = ? AND fusion = ? GROUP BY ALL", best.get(0), best.get(1))) {
            m[classes.indexOf((String) r.get(0))][classes.indexOf((String) r.get(1))] = ((Number) r.get(2)).intValue();
        }
        List<String> expected = new ArrayList<>();
        int correct = 0;
        for (int i = 0; i < CLASSES; i++) {
            int row = 0;
            for (int j = 0; j < CLASSES; j++) {
                expected.add(Integer.toString(m[i][j]));
                row += m[i][j];
            }
            correct += m[i][i];
            expected.add(String.format(Locale.ROOT, "%.2f", 100.0 * m[i][i] / row));
        }
        String html = html(nb, "confusion");
        assertEquals(expected, tds(html), html);
        assertTrue(html.contains("<b>" + best.get(0) + " / " + best.get(1) + "</b>"), html);
        assertTrue(html.contains(IMAGES + " held-out images, " + correct + " correct"), html);
    }

    /** Every KPFF cell's 3 × 3 W, row-major, to three decimals, cells in id order. */
    static void assertLearnedW(JsonNode nb, Connection db, Path run) throws SQLException {
        List<String> expected = new ArrayList<>();
        for (List<Object> r : rows(db, "SELECT learned_w FROM read_parquet('" + run + "/cells/*/*.parquet') "
                + "WHERE fusion = 'kpff' ORDER BY cell_id")) {
            for (Object v : (Object[]) ((java.sql.Array) r.get(0)).getArray()) {
                expected.add(String.format(Locale.ROOT, "%.3f", ((Number) v).doubleValue()));
            }
        }
        assertEquals(2 * 9, expected.size(), "two KPFF cells with a 3 x 3 W");
        String html = html(nb, "w");
        assertEquals(expected, tds(html), html);
        assertTrue(html.contains("alexnet-kpff-f0-") && html.contains("alexnet-kpff-f1-"), html);
    }

    static List<List<Object>> rows(Connection db, String sql, Object... params) throws SQLException {
        try (PreparedStatement s = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setObject(i + 1, params[i]);
            }
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                int n = r.getMetaData().getColumnCount();
                while (r.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= n; i++) {
                        row.add(r.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    /** The code cell tagged {@code tag}. */
    static JsonNode cell(JsonNode nb, String tag) {
        for (JsonNode c : nb.get("cells")) {
            for (JsonNode t : c.path("metadata").path("tags")) {
                if (t.asText().equals(tag) && "code".equals(c.path("cell_type").asText())) {
                    return c;
                }
            }
        }
        throw new AssertionError("the notebook has no code cell tagged " + tag);
    }

    /** The text/html outputs of a cell, joined. */
    static String html(JsonNode nb, String tag) {
        return outputs(cell(nb, tag), "text/html");
    }

    /** The stream outputs of a cell, joined. */
    static String text(JsonNode nb, String tag) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode out : cell(nb, tag).get("outputs")) {
            if ("stream".equals(out.path("output_type").asText())) {
                sb.append(join(out.get("text")));
            }
        }
        return sb.toString();
    }

    static String outputs(JsonNode cell, String mime) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode out : cell.get("outputs")) {
            if (out.path("data").has(mime)) {
                sb.append(join(out.path("data").get(mime)));
            }
        }
        return sb.toString();
    }

    /** nbformat stores multi-line strings as a string or a list of lines. */
    static String join(JsonNode text) {
        if (!text.isArray()) {
            return text.asText();
        }
        StringBuilder sb = new StringBuilder();
        text.forEach(line -> sb.append(line.asText()));
        return sb.toString();
    }

    /** The texts of all table data cells, in document order. */
    static List<String> tds(String html) {
        List<String> cells = new ArrayList<>();
        Matcher m = TD.matcher(html);
        while (m.find()) {
            cells.add(m.group(1));
        }
        return cells;
    }

    static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
}
