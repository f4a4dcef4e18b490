package org.kpff.core.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kpff.core.data.TestImages.CONF;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The inspection report: counts, size histogram, unreadable and ignored files, problems. */
class DatasetInspectorTest {

    @TempDir
    Path tmp;

    @Test
    void reportsCountsSizesUnreadableAndIgnoredFiles() {
        Path root = TestImages.dataset(tmp.resolve("ds"), 2, 3, 10, 6);
        TestImages.write(root.resolve("c0/odd.tif"), TestImages.solid(256, 251, 1, 2, 3), "tiff");
        TestImages.write(root.resolve("c1/bad.jpg"), "garbage".getBytes(StandardCharsets.UTF_8));
        TestImages.write(root.resolve("c1/notes.txt"), "x".getBytes(StandardCharsets.UTF_8));

        DatasetReport report = DatasetInspector.inspect(root.toString(), CONF);

        assertEquals("file:" + root.toAbsolutePath(), report.rootUri());
        assertEquals(Map.of("c0", 4, "c1", 4), report.classCounts());
        assertEquals(List.of("c0", "c1"), List.copyOf(report.classCounts().keySet()));
        assertEquals(Map.of(new ImageSize(10, 6), 6, new ImageSize(256, 251), 1), report.sizes());
        assertEquals(8, report.imageCount());
        assertEquals(1, report.unreadable().size());
        assertTrue(report.unreadable().get(0).path().endsWith("/c1/bad.jpg"));
        assertTrue(report.unreadable().get(0).reason().contains("no ImageIO reader"));
        assertEquals(List.of(report.rootUri() + "/c1/notes.txt"), report.ignoredFiles());
        assertTrue(report.usable(), () -> report.problems().toString());
        assertEquals(3, report.warnings().size(), report.warnings()::toString);

        String text = report.toText();
        assertTrue(text.startsWith("Dataset " + report.rootUri() + "\n  2 classes, 8 images (1 unreadable), "
                + "1 ignored entries\n"), text);
        assertTrue(text.contains("    256×251          1\n"), text);
        assertTrue(text.contains("/c1/bad.jpg (not a TIFF, PNG or JPEG image"), text);
        assertTrue(text.endsWith("  Usable: yes\n"), text);
    }

    @Test
    void structuralProblemsMakeTheDatasetUnusable() {
        Path root = TestImages.dataset(tmp.resolve("ds"), 1, 2, 8, 8);
        DatasetReport report = DatasetInspector.inspect(root.toString(), CONF);
        assertFalse(report.usable());
        assertEquals(1, report.problems().size());
        assertTrue(report.problems().get(0).contains("has a single class folder ('c0')"), report.problems()::toString);
        assertTrue(report.toText().endsWith("  Usable: NO\n"));
    }

    @Test
    void classesBelowTheFoldCountOrWithoutReadableImagesAreProblems() {
        Path root = TestImages.dataset(tmp.resolve("ds"), 3, 4, 8, 8);
        TestImages.write(root.resolve("c3/a.png"), new byte[] {1, 2, 3});
        DatasetReport report = DatasetInspector.inspect(root.toString(), CONF, 5);
        assertEquals(List.of(
                "Class 'c0' has 4 readable image(s), fewer than the k = 5 folds: every class needs at least k images.",
                "Class 'c1' has 4 readable image(s), fewer than the k = 5 folds: every class needs at least k images.",
                "Class 'c2' has 4 readable image(s), fewer than the k = 5 folds: every class needs at least k images.",
                "Class 'c3' has 1 image file(s) and none can be decoded."), report.problems());
        assertTrue(DatasetInspector.inspect(root.toString(), CONF, 4).problems().stream()
                .noneMatch(p -> p.contains("fewer than")));
    }

    @Test
    void aMissingRootIsReportedNotThrown() {
        String uri = tmp.resolve("absent").toString();
        DatasetReport report = DatasetInspector.inspect(uri, CONF);
        assertFalse(report.usable());
        assertTrue(report.problems().get(0).contains("absent' does not exist"), report.problems()::toString);
        assertEquals(0, report.imageCount());
        DatasetReport scheme = DatasetInspector.inspect("foo://x", CONF);
        assertTrue(scheme.problems().get(0).contains("scheme 'foo'"), scheme.problems()::toString);
    }
}
