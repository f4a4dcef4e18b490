/**
 * File-system helpers shared by the core and the Spark job: the atomic replace of a finished file or folder, and the
 * rule for which stores have an atomic rename ({@link org.kpff.core.fs.StoreSemantics}). Used on both sides of Spark:
 * executors replace checkpoints, the driver run.json and committed tables.
 */
package org.kpff.core.fs;
