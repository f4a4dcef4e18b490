package org.kpff.job.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;

/**
 * Masks credentials before anything the driver writes (run.json, resolved.conf, summary.md via run.json) with
 * Spark's own rule: a {@code key=value} whose key or value matches {@code spark.redaction.regex} (by default
 * {@code (?i)secret|password|token|access[.]?key}) keeps its key and gets Spark's replacement text as value; and a
 * password in a URI's user info ({@code scheme://user:password@host}) is masked wherever it appears.
 */
final class Redaction {

    /** Spark's replacement text ({@code Utils.REDACTION_REPLACEMENT_TEXT}). */
    static final String REPLACEMENT = "*********(redacted)";
    /** Spark's setting, and its default in Spark 3.5. */
    static final String REGEX_CONF = "spark.redaction.regex";
    static final String DEFAULT_REGEX = "(?i)secret|password|token|access[.]?key";
    /** Options whose next argument is a {@code key=value}. */
    private static final Set<String> KEY_VALUE_OPTIONS = Set.of("--conf", "-c", "--set");
    /** {@code scheme://user:password@}; the password may hold {@code /} and {@code +} (AWS secret keys do). */
    private static final Pattern URI_PASSWORD = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^/@\\s:\"']*):"
            + "([^@\\s\"']+)@");

    private final Pattern regex;

    Redaction(Pattern regex) {
        this.regex = regex;
    }

    /** Spark's redaction rule of this session. */
    static Redaction of(SparkSession spark) {
        return new Redaction(Pattern.compile(spark.conf().get(REGEX_CONF, DEFAULT_REGEX)));
    }

    /** A command line with every credential-looking value masked. */
    List<String> argv(List<String> argv) {
        List<String> out = new ArrayList<>(argv.size());
        boolean keyValueNext = false;
        for (String a : argv) {
            String masked;
            int eq = a.indexOf('=');
            if (keyValueNext) {
                masked = keyValue(a);
            } else if (a.startsWith("--") && eq > 0 && KEY_VALUE_OPTIONS.contains(a.substring(0, eq))) {
                masked = a.substring(0, eq + 1) + keyValue(a.substring(eq + 1));
            } else if (a.startsWith("-D") || (!a.startsWith("-") && eq > 0)) {
                masked = keyValue(a);
            } else {
                masked = text(a);
            }
            keyValueNext = KEY_VALUE_OPTIONS.contains(a);
            out.add(masked);
        }
        return out;
    }

    /** {@code key=value} with the value masked when key or value matches the rule; URI passwords masked. */
    String keyValue(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            return text(kv);
        }
        String key = kv.substring(0, eq);
        String value = kv.substring(eq + 1);
        if (regex.matcher(key).find() || regex.matcher(value).find()) {
            return key + "=" + REPLACEMENT;
        }
        return key + "=" + text(value);
    }

    /** Text with the password of every {@code scheme://user:password@} masked. */
    static String text(String s) {
        Matcher m = URI_PASSWORD.matcher(s);
        return m.find() ? m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + ":" + REPLACEMENT + "@")) : s;
    }
}
