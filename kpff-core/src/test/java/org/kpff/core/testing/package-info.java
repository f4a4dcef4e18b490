/** Test fixtures shared with the other modules through kpff-core's test-jar. */
package org.kpff.core.testing;
