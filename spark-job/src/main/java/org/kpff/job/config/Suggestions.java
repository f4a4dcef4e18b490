package org.kpff.job.config;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean" suggestions by edit distance, for unknown keys, values and subcommands. */
public final class Suggestions {

    private Suggestions() {
    }

    /**
     * The candidate nearest to {@code input}, if one is near enough: within an edit distance of a quarter of the
     * input's length (at least 1) over the whole text; or starting with the input (at least 3 characters, so
     * {@code vgg} suggests {@code vgg16}); or else by the same rule over the last dotted segment (so {@code epochs}
     * suggests {@code train.epochs}). Ties go to the earlier candidate.
     */
    public static Optional<String> closest(String input, Collection<String> candidates) {
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        String inputLast = lastSegment(input);
        for (String c : candidates) {
            int score = Integer.MAX_VALUE;
            int whole = distance(input, c);
            if (whole <= threshold(input)) {
                score = whole;
            }
            if (input.length() >= 3 && c.startsWith(input)) {
                score = Math.min(score, 1);
            }
            int last = distance(inputLast, lastSegment(c));
            if (last <= threshold(inputLast)) {
                score = Math.min(score, last + 1);
            }
            if (score < bestScore) {
                bestScore = score;
                best = c;
            }
        }
        return Optional.ofNullable(best);
    }

    private static int threshold(String s) {
        return Math.max(1, s.length() / 4);
    }

    private static String lastSegment(String s) {
        int dot = s.lastIndexOf('.');
        return dot < 0 ? s : s.substring(dot + 1);
    }

    /**
     * The optimal-string-alignment edit distance: insertions, deletions, substitutions and transpositions of two
     * adjacent characters each cost 1 (so {@code widht} is 1 from {@code width}).
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
