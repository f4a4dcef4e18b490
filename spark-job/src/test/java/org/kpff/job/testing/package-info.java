/** Shared test fixtures of the Spark job: the local Spark extension and result-schema assertions. */
package org.kpff.job.testing;
