package org.kpff.job.config;

import java.util.Locale;

/** A top-level section of the job config; every key belongs to exactly one. */
public enum Section {
    /** The dataset and how it is split into folds. */
    DATA("The dataset, its preprocessing and the k-fold split."),
    /** The grid of backbones and fusion heads and how they are built. */
    MODEL("The backbones and fusion methods of the grid, and how networks are built."),
    /** Optimisation of one cell. */
    TRAIN("Optimisation of one cell (Adam)."),
    /** Evaluation on the held-out fold. */
    EVAL("Evaluation on the held-out fold."),
    /** How the job uses the cluster; does not change results except through {@code run.mode}. */
    RUN("How the job uses the cluster."),
    /** Hyperparameter search of the {@code search} subcommand; {@code run} refuses a config that sets a strategy. */
    SEARCH("Hyperparameter search (grid, random, asynchronous successive halving) of the search subcommand.");

    private final String doc;

    Section(String doc) {
        this.doc = doc;
    }

    /** The section's name as it appears in config files, e.g. {@code data}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** One line saying what the section holds. */
    public String doc() {
        return doc;
    }

    /** The section a dotted key name belongs to, or {@code null} if its first segment is no section. */
    static Section ofKey(String key) {
        int dot = key.indexOf('.');
        String head = dot < 0 ? key : key.substring(0, dot);
        for (Section s : values()) {
            if (s.id().equals(head)) {
                return s;
            }
        }
        return null;
    }
}
