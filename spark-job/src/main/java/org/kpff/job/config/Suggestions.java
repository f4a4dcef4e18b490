package org.kpff.job.config;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean" suggestions by edit distance, for unknown keys and values. */
final class Suggestions {

    private Suggestions() {
    }

    /**
     * The candidate nearest to {@code input}, if it is near enough: by Levenshtein distance over the whole text, or
     * else over the last dotted segment (so {@code epochs} suggests {@code train.epochs}).
     */
    static Optional<String> closest(String input, Collection<String> candidates) {
        String best = null;
        int bestScore = Integer.MAX_VALUE;
        String inputLast = lastSegment(input);
        for (String c : candidates) {
            int whole = levenshtein(input, c);
            int score = whole <= threshold(input) ? whole : Integer.MAX_VALUE;
            int last = levenshtein(inputLast, lastSegment(c));
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
        return Math.max(2, s.length() / 4);
    }

    private static String lastSegment(String s) {
        int dot = s.lastIndexOf('.');
        return dot < 0 ? s : s.substring(dot + 1);
    }

    /** The classic edit distance (insert, delete, substitute, each cost 1). */
    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
