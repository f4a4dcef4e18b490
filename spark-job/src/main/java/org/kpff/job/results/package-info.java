/**
 * The results of a run as a public contract: the Parquet schemas ({@link org.kpff.job.results.ResultSchemas}), the
 * row records and their conversions to Spark rows, the output folder layout ({@link org.kpff.job.results.RunLayout}),
 * the atomic commit of a cell's tables into it ({@link org.kpff.job.results.CellCommitter}), and the aggregation
 * into Table 1 (mean ± std over folds, paired tests) with its Markdown rendering. Apart from the
 * schemas, row conversions and the committer, everything here is plain Java and needs no Spark session. Runs in the
 * driver JVM (executors return their outcome to the driver, which writes and commits the rows).
 */
package org.kpff.job.results;
