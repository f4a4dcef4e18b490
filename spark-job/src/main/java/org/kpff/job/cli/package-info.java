/** The command line that spark-submit runs: run, search, summarize, plan, inspect and datagen subcommands. */
package org.kpff.job.cli;
