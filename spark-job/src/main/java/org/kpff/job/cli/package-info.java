/**
 * The command line that spark-submit runs: run, search, summarize, equivalence, plan, inspect and datagen
 * subcommands. Runs in the driver JVM.
 */
package org.kpff.job.cli;
