package org.kpff.job.cli;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.IHelpSectionRenderer;

/**
 * Wraps the CLI's help at spaces only: picocli wraps at every line-break opportunity of the JDK's BreakIterator,
 * which splits paths and URIs after '.', '/' or ':' ({@code conf/smoke.} / {@code conf}), so its sections are laid
 * out on one long line each and wrapped here, with picocli's hanging indents.
 */
final class HelpWrap {

    /** Help width when the terminal's {@code COLUMNS} is not known. */
    static final int DEFAULT_WIDTH = 80;

    /** Wide enough that picocli itself never wraps a line. */
    private static final int UNWRAPPED = 10_000;

    /** A row of the option or command list: indent, names, a gap of two or more spaces, the description. */
    private static final Pattern ROW = Pattern.compile("^( +\\S.*?  +)\\S");
    /** The synopsis: "Usage: kpff run " followed by the options. */
    private static final Pattern USAGE = Pattern.compile("^(Usage: (?:\\S+ )+?)[\\[<-]");

    private HelpWrap() {
    }

    /** Makes the help of {@code cli} and of all its subcommands wrap at spaces to {@link #width()}. */
    static void install(CommandLine cli) {
        cli.setUsageHelpWidth(UNWRAPPED);
        int width = width();
        wrapSections(cli, width);
    }

    private static void wrapSections(CommandLine cli, int width) {
        Map<String, IHelpSectionRenderer> sections = cli.getHelpSectionMap();
        // The synopsis is wrapped together with its heading ("Usage: "), so that its lines are measured in full.
        IHelpSectionRenderer heading = sections.get(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS_HEADING);
        IHelpSectionRenderer synopsis = sections.get(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS);
        if (heading != null && synopsis != null) {
            sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS_HEADING, help -> "");
            sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS,
                    help -> heading.render(help) + synopsis.render(help));
        }
        sections.replaceAll((key, renderer) -> help -> wrap(renderer.render(help), width));
        cli.setHelpSectionMap(sections);
        for (CommandLine sub : cli.getSubcommands().values()) {
            wrapSections(sub, width);
        }
    }

    /** The terminal's {@code COLUMNS} when it is a number from 60 to 200, else {@link #DEFAULT_WIDTH}. */
    static int width() {
        String columns = System.getenv("COLUMNS");
        try {
            int c = columns == null ? DEFAULT_WIDTH : Integer.parseInt(columns.strip());
            return c >= 60 && c <= 200 ? c : DEFAULT_WIDTH;
        } catch (NumberFormatException e) {
            return DEFAULT_WIDTH;
        }
    }

    /**
     * Wraps every line of {@code text} longer than {@code width} at spaces, never inside a word (a word longer than
     * the line stays whole); continuation lines are indented under the description of an option or command row,
     * under the options of a "Usage:" line, and like the line itself otherwise.
     */
    static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(start, end);
            boolean cr = line.endsWith("\r");
            wrapLine(cr ? line.substring(0, line.length() - 1) : line, width, out);
            if (nl >= 0) {
                out.append(cr ? "\r\n" : "\n");
            }
            start = end + 1;
        }
        return out.toString();
    }

    private static void wrapLine(String line, int width, StringBuilder out) {
        if (line.length() <= width) {
            out.append(line);
            return;
        }
        int indent = continuationIndent(line);
        if (indent > width / 2) {
            indent = Math.min(indent, 8);
        }
        String eol = System.lineSeparator();
        int lead = 0;
        while (lead < line.length() && line.charAt(lead) == ' ') {
            lead++;
        }
        StringBuilder current = new StringBuilder(line.substring(0, lead));
        boolean first = true;
        boolean empty = true;
        // Split on single spaces, keeping the runs of spaces that align picocli's columns on the first line.
        Matcher words = Pattern.compile("(\\S+)( *)").matcher(line);
        words.region(lead, line.length());
        while (words.find()) {
            String word = words.group(1);
            String gap = words.group(2);
            if (!empty && current.length() + word.length() > width) {
                out.append(current.toString().stripTrailing()).append(eol);
                current = new StringBuilder(" ".repeat(indent));
                first = false;
                empty = true;
            }
            current.append(word);
            empty = false;
            current.append(first ? gap : gap.isEmpty() ? "" : " ");
        }
        out.append(current.toString().stripTrailing());
    }

    private static int continuationIndent(String line) {
        Matcher usage = USAGE.matcher(line);
        if (usage.find()) {
            return usage.group(1).length();
        }
        Matcher row = ROW.matcher(line);
        if (row.find()) {
            return row.group(1).length() + 2;
        }
        int lead = 0;
        while (lead < line.length() && line.charAt(lead) == ' ') {
            lead++;
        }
        return lead;
    }
}
