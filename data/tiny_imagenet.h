// Tiny ImageNet in its distributed layout (http://cs231n.stanford.edu/tiny-imagenet-200.zip, unzipped):
//
//   <dir>/train/<wnid>/images/*.JPEG         100000 training images, 500 per class, 200 classes
//   <dir>/val/images/*.JPEG                  10000 validation images, used as the test set
//   <dir>/val/val_annotations.txt            one line per val image: file name, TAB, wnid, TAB, box…
//
// Order, as the authors' torchvision ImageFolder gives it: class index = rank of the wnid among the
// train/ folders sorted by name (byte order); within a class, files sorted by name. The val set is
// ordered the way ImageFolder orders val/ once it is sorted into class folders (what the authors ran):
// by class index, then by file name within the class. Every image is 64×64 (grey ones are replicated
// into RGB; image_file.h); samples are 3×64×64 u8. Other files in train/<wnid>/ (the *_boxes.txt) and
// <dir> (wnids.txt, words.txt, test/) are not read.
//
// Errors, each naming the path: a missing folder or annotation file, an empty class folder, a file
// that is not a JPEG/PNG, an image of another size, a val image without an annotation or an
// annotation without its image, an annotated wnid that is not a train/ class.
#pragma once

#include <string>

#include "data/dataset.h"

namespace probenet::data {

// Names are "<name>/train" and "<name>/test"; train_labels start equal to true_labels.
TrainTest load_tiny_imagenet(const std::string& dir, const std::string& name, Scaling scaling = Scaling::ZeroToOne);

}  // namespace probenet::data
