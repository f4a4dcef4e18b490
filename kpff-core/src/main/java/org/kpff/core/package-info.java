/** The KPFF layer core: fusion op and vertex, backbones, heads, datasets and one cell's training; no Spark. */
package org.kpff.core;
