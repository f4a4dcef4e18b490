/**
 * Executor side of the job: GPU binding from the task's Spark resources, the per-JVM dataset cache, the pre-flight
 * image check, and running one cell inside a Spark task. Everything here runs in executor JVMs.
 */
package org.kpff.job.exec;
