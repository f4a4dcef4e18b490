/**
 * Executor side of the job: GPU binding from the task's Spark resources, the per-JVM dataset cache, running one
 * cell and committing its result rows atomically.
 */
package org.kpff.job.exec;
