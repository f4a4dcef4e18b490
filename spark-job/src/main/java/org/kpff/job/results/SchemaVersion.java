package org.kpff.job.results;

/**
 * The version of a run's output layout (its tables, columns and Parquet types): recorded as {@code schema_version}
 * in {@code run.json} and as the key {@value #PARQUET_KEY} in the key-value metadata of every Parquet file the job
 * writes. A release reads every earlier version and refuses a newer one. Neither Spark nor Jackson here: the results
 * notebook uses this class too.
 *
 * <ul>
 * <li>1: the first layout (releases up to commit c0c1b2e, 2026-11-24): no {@code confusion}, {@code engine},
 * {@code executor_id}, {@code started_at}, {@code finished_at}, {@code device}, {@code images_per_second} in
 * {@code cells}, no {@code fusion_w} in {@code metrics}, no {@code t_status}, {@code mcnemar_status} in
 * {@code comparisons}; checkpoints in DL4J's zip with a {@code history.tsv}. No version recorded.</li>
 * <li>2: those columns added (2026-11-25 to commit dfe9899); timestamps stored as INT96; checkpoints as ND4J binary
 * arrays with {@code history.json}, and from commit 10db2a9 the generator state. No version recorded.</li>
 * <li>3: {@code started_at}/{@code finished_at} stored as TIMESTAMP_MICROS (UTC) instead of INT96; the version
 * recorded in run.json and every Parquet file; {@code cells.outer_fold}, {@code cells.role} and
 * {@code nested.parquet} for nested searches.</li>
 * </ul>
 *
 * <p>What bumps it: any change a reader of the previous version could misread or fail on: a column added, removed,
 * renamed or retyped (also a change of physical Parquet type), a table or file added or renamed, a change of a
 * column's meaning or units. Wording of docs does not.
 */
public final class SchemaVersion {

    /** The version this build writes. */
    public static final int CURRENT = 3;

    /** The oldest version this build reads. */
    public static final int OLDEST = 1;

    /** The key of the version in every Parquet file's key-value metadata. */
    public static final String PARQUET_KEY = "kpff.schema_version";

    /** The field of the version in {@code run.json} (and in each attempt's entry). */
    public static final String RUN_JSON_FIELD = "schema_version";

    private SchemaVersion() {
    }

    /**
     * Refuses a run written by a newer release than this one.
     *
     * @param version   the run's version ({@code RunInfo.schemaVersion()} in the driver)
     * @param where     the run folder, for the message
     * @param gitCommit the commit that wrote the run, for the message ("unknown" when not recorded)
     * @return the version
     * @throws IllegalArgumentException when the version is newer than {@link #CURRENT}
     */
    public static int checkReadable(int version, String where, String gitCommit) {
        if (version > CURRENT) {
            throw new IllegalArgumentException("The run at " + where + " was written in output schema version "
                    + version + " (run.json " + RUN_JSON_FIELD + ") by a newer release (git_commit " + gitCommit
                    + "); this build reads versions " + OLDEST + " to " + CURRENT + ": use that release or a newer"
                    + " one.");
        }
        return version;
    }
}
