package org.kpff.core.data;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What {@link DatasetInspector} found in a dataset: classes and their image counts, a histogram of stored image
 * sizes, unreadable and ignored files, warnings, and the problems that make it unusable ({@link #usable()} is
 * false when there is any). Immutable; {@link #toText()} renders it for a terminal.
 *
 * @param rootUri      the qualified root (the URI as given when it could not be resolved)
 * @param classCounts  class name → number of image files (readable or not), in label order
 * @param sizes        stored size → number of readable images, ascending by width then height
 * @param unreadable   image files that cannot be decoded, with reasons (training skips them, strict mode fails)
 * @param ignoredFiles non-image files and sub-folders that listing ignores
 * @param warnings     oddities that do not stop training
 * @param problems     reasons the dataset cannot be used; empty when it can
 */
public record DatasetReport(String rootUri, Map<String, Integer> classCounts, Map<ImageSize, Integer> sizes,
        List<ImageProblem> unreadable, List<String> ignoredFiles, List<String> warnings, List<String> problems)
        implements Serializable {

    private static final int SHOWN = 20;

    public DatasetReport {
        Objects.requireNonNull(rootUri, "rootUri");
        classCounts = Collections.unmodifiableMap(new LinkedHashMap<>(classCounts));
        sizes = Collections.unmodifiableMap(new TreeMap<>(sizes));
        unreadable = List.copyOf(unreadable);
        ignoredFiles = List.copyOf(ignoredFiles);
        warnings = List.copyOf(warnings);
        problems = List.copyOf(problems);
    }

    /** Whether the dataset can be listed and trained on: no {@link #problems()}. */
    public boolean usable() {
        return problems.isEmpty();
    }

    /** Number of image files, readable or not. */
    public int imageCount() {
        return classCounts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** A multi-line, human-readable rendering (long lists cut after 20 entries). */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append("Dataset ").append(rootUri).append('\n');
        out.append("  ").append(classCounts.size()).append(" classes, ").append(imageCount()).append(" images (")
                .append(unreadable.size()).append(" unreadable), ").append(ignoredFiles.size())
                .append(" ignored entries\n");
        if (!classCounts.isEmpty()) {
            int width = classCounts.keySet().stream().mapToInt(String::length).max().orElse(0);
            out.append("  Classes (label: name, images):\n");
            int label = 0;
            for (Map.Entry<String, Integer> e : classCounts.entrySet()) {
                out.append(String.format("    %3d: %-" + width + "s %6d%n", label++, e.getKey(), e.getValue()));
            }
        }
        if (!sizes.isEmpty()) {
            out.append("  Image sizes (width×height: images):\n");
            sizes.forEach((size, count) -> out.append(String.format("    %-11s %6d%n", size, count)));
        }
        section(out, "Unreadable files", unreadable.stream().map(ImageProblem::toString).toList());
        section(out, "Ignored entries", ignoredFiles);
        section(out, "Warnings", warnings);
        section(out, "Problems", problems);
        out.append(usable() ? "  Usable: yes\n" : "  Usable: NO\n");
        return out.toString();
    }

    private static void section(StringBuilder out, String title, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        out.append("  ").append(title).append(" (").append(lines.size()).append("):\n");
        lines.stream().limit(SHOWN).forEach(l -> out.append("    ").append(l).append('\n'));
        if (lines.size() > SHOWN) {
            out.append("    ... and ").append(lines.size() - SHOWN).append(" more\n");
        }
    }
}
