package org.kpff.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The CLI's help wraps at spaces, never inside a path or URI, under picocli's columns. */
class HelpWrapTest {

    @Test
    void anOptionRowWrapsAtSpacesUnderItsDescription() {
        String row = "      --data=URI        Dataset root: a folder of class folders (file://, hdfs://, ...). Default: "
                + "the config's data.uri.";
        assertEquals(String.join(System.lineSeparator(),
                "      --data=URI        Dataset root: a folder of class folders (file://,",
                "                          hdfs://, ...). Default: the config's data.uri."), HelpWrap.wrap(row, 80));
    }

    @Test
    void theSynopsisIndentsUnderItsOptionsAndAWordLongerThanALineStaysWhole() {
        assertEquals(String.join(System.lineSeparator(), "Usage: kpff run [-hV] [--resume]",
                "                [--config=FILE]"), HelpWrap.wrap("Usage: kpff run [-hV] [--resume] [--config=FILE]",
                        34));
        String path = "x".repeat(30);
        assertEquals("see" + System.lineSeparator() + path, HelpWrap.wrap("see " + path, 20));
        assertEquals("short\n\nlines\n", HelpWrap.wrap("short\n\nlines\n", 20));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "run", "search", "summarize", "plan", "inspect", "datagen"})
    void everyHelpFitsTheWidthWithoutSplittingATokenOfItsOneLineLayout(String command) {
        StringWriter out = new StringWriter();
        List<String> args = command.isEmpty() ? List.of("--help") : List.of(command, "--help");
        assertEquals(0, Main.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true),
                args.toArray(String[]::new)));
        String help = out.toString();
        int width = HelpWrap.width();
        for (String line : help.lines().toList()) {
            assertTrue(line.length() <= width || !line.strip().contains(" "), "longer than " + width + ": " + line);
        }
        // Every word of the help is a word of some option's or section's text: none was cut in two.
        for (String token : List.of("conf/smoke.conf", "hdfs://", "data/synthetic", "train.epochs=10")) {
            if (help.replaceAll("\\s+", " ").contains(token)) {
                assertTrue(help.lines().anyMatch(l -> l.contains(token)), token + " split across lines:\n" + help);
            }
        }
    }
}
