/** The Spark application that runs KPFF cross-validation grids and searches, one cell per GPU task. */
package org.kpff.job;
