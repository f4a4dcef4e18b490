/**
 * The job configuration: every key declared once in {@link org.kpff.job.config.ConfigKeys} with type, default,
 * allowed values and a doc line; HOCON loading with {@code --set} overrides, complete validation before any Spark
 * work, the resolved-config dump and the fingerprint that guards {@code --resume}. Loaded and validated in the driver
 * JVM; the resolved values travel to executors inside each cell's task.
 */
package org.kpff.job.config;
