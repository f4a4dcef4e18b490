/**
 * Scene-image datasets on any Hadoop FileSystem: the {@code <root>/<class>/<image>} layout of UC Merced.
 *
 * <p>The pieces, in the order a cross-validation job uses them:
 * <ol>
 *   <li>{@link org.kpff.core.data.SceneDataset#list} (driver, cheap, no decoding) gives a serializable
 *       {@link org.kpff.core.data.DatasetListing}: class names in sorted order, image paths in sorted order;</li>
 *   <li>{@link org.kpff.core.data.StratifiedKFold} turns a listing, k and a seed into immutable
 *       {@link org.kpff.core.data.Folds};</li>
 *   <li>{@link org.kpff.core.data.ImageCache#get} (executor) decodes every image once per JVM and input size into
 *       compact uint8 {@link org.kpff.core.data.DecodedImages};</li>
 *   <li>{@link org.kpff.core.data.ImageBatchIterator} makes normalised (see
 *       {@link org.kpff.core.data.Normalization}), optionally shuffled and augmented (see
 *       {@link org.kpff.core.data.Augmentation}) DL4J minibatches over the indices of a fold.</li>
 * </ol>
 * {@link org.kpff.core.data.DatasetInspector} reports on a dataset for a CLI, and
 * {@link org.kpff.core.data.SyntheticScenes} writes a learnable synthetic dataset in the same layout.
 *
 * <p>Image indices are the same everywhere: index {@code i} of a listing is index {@code i} of its folds, of its
 * decoded images and of the iterators over them. An image that cannot be decoded keeps its index; it is marked
 * skipped and iterators leave it out.
 */
package org.kpff.core.data;
