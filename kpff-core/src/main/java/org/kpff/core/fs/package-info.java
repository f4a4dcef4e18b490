/** File-system helpers shared by the core and the Spark job: the atomic replace of a finished file or folder. */
package org.kpff.core.fs;
