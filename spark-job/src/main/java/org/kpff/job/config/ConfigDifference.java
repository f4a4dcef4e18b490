package org.kpff.job.config;

/**
 * One key whose value differs between two configs, in canonical text.
 *
 * @param key            the dotted key name
 * @param left           the value in the config the comparison was called on
 * @param right          the value in the other config
 * @param definesResults whether the key enters the fingerprint (a difference here changes results)
 */
public record ConfigDifference(String key, String left, String right, boolean definesResults) {

    @Override
    public String toString() {
        return key + ": " + left + " -> " + right + (definesResults ? "" : " (does not change results)");
    }
}
