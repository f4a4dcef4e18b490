package org.kpff.job.config;

/** Generates the README's table of config keys from the declarations in {@link ConfigKeys}. */
public final class ConfigDocs {

    private ConfigDocs() {
    }

    /**
     * A Markdown table with one row per key (name, type, default, allowed, doc), grouped by section in
     * declaration order. Keys that are left out of the fingerprint and keys a hyperparameter point may override
     * say so in the doc column.
     */
    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("| key | type | default | allowed | doc |\n");
        sb.append("|---|---|---|---|---|\n");
        for (Section section : Section.values()) {
            if (ConfigKeys.of(section).isEmpty()) {
                sb.append("| `").append(section.id()).append(".*` | | | | ").append(escape(section.doc()))
                        .append(" |\n");
            }
            for (ConfigKey<?> k : ConfigKeys.of(section)) {
                String def = k.canonicalDefault();
                sb.append("| `").append(k.name()).append("` | ").append(k.type()).append(" | `")
                        .append(def.isEmpty() ? "\"\"" : def).append("` | ").append(escape(k.allowed()))
                        .append(" | ").append(escape(k.doc()));
                if (!k.definesResults()) {
                    sb.append(" Not in the fingerprint.");
                }
                if (k.isPerPoint()) {
                    sb.append(" May vary per hyperparameter point.");
                }
                sb.append(" |\n");
            }
        }
        return sb.toString();
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }
}
