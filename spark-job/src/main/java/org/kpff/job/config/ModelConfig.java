package org.kpff.job.config;

import java.io.Serializable;
import java.util.List;
import org.kpff.core.fusion.FusionInit;
import org.kpff.core.fusion.FusionMethod;

/**
 * The {@code model.*} section: which backbones and fusion heads form the grid and how networks are built.
 *
 * @param backbones       backbone names of the grid, in config order
 * @param methods         fusion methods of the grid, in config order
 * @param width           backbone width multiplier
 * @param projectionWidth r, the width every tap is projected to
 * @param fusionInit      how the KPFF matrix W starts
 * @param batchNorm       batch normalisation after every backbone convolution
 * @param fusionLrScale   KPFF's W learns at this times the learning rate (1 = the paper)
 */
public record ModelConfig(List<String> backbones, List<FusionMethod> methods, double width, int projectionWidth,
        FusionInit fusionInit, boolean batchNorm, double fusionLrScale) implements Serializable {

    /** Copies the lists so that the record stays immutable. */
    public ModelConfig {
        backbones = List.copyOf(backbones);
        methods = List.copyOf(methods);
    }
}
