/** One cell's training: the spec of a cell, the epoch loop with periodic evaluation and checkpoints. */
package org.kpff.core.train;
