/**
 * The results of a run as a public contract: the Parquet schemas ({@link org.kpff.job.results.ResultSchemas}), the
 * row records and their conversions to Spark rows, the output folder layout ({@link org.kpff.job.results.RunLayout}),
 * and the aggregation into Table 1 (mean ± std over folds, paired tests) with its Markdown rendering. Apart from the
 * schemas and row conversions, everything here is plain Java and needs no Spark session.
 */
package org.kpff.job.results;
