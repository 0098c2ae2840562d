"""PyTorch's side of probenet's AlexNet forward test (tests/nn/test_alexnet.cpp).

  torch_alexnet_reference.py OUT.safetensors [--seed S]

Builds AlexNet exactly as nn/models/alexnet.cpp does (docs/protocol.md: the authors' CIFAR-100 and
Tiny ImageNet variants, module names conv1…conv5 with .conv/.relu, pool1…pool3, flatten,
fc1/fc2 with .linear/.relu, classifier), then:
  1. checks the two full-size variants: 20,495,268 and 21,123,080 parameters, 64×15×15 after the
     Tiny ImageNet stem, 256×1×1 before flatten, and prints every layer's output shape;
  2. for a scaled-down net of each geometry (same kernels, strides, paddings and pools, a few
     channels, so the file stays ~200 kB) draws PyTorch's default init with torch.manual_seed(S)
     and multiplies every weight by √6: the default init (variance 1/(3·fan_in)) shrinks the signal
     ~2.4× per conv/linear + ReLU, so after eight layers the logits would barely depend on the
     input and the comparison would test little but the classifier's bias; with √6 the variance
     is kept (1/3 · 6 · 1/2 for the ReLU) and the two images' logits differ by O(1). Then it draws
     a fixed input in [0, 1) and computes the logits, and writes
       <variant>.model.<probenet parameter name>   the weights
       <variant>.input                              (2, 3, H, W)
       <variant>.logits                             (2, classes)
     for variant = cifar100 (32×32, k3 s2 p1 stem) and tiny_imagenet (64×64, k11 s4 p2 stem, k5 p2).
The logits are computed in float64 from the float32 weights and input (the rounded values that the
file holds), so they are the exact answer up to float64 round-off and the test measures probenet's
float32 error alone; the float32 PyTorch forward's distance from them is printed for comparison.
Needs Debian's python3-torch; the safetensors writer is scripts/torch_same_init.py's.
"""
import argparse
import collections
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_same_init import write_safetensors  # noqa: E402

CIFAR100 = dict(image=32, classes=100, stem=(3, 2, 1), conv2=(3, 1))
TINY_IMAGENET = dict(image=64, classes=200, stem=(11, 4, 2), conv2=(5, 2))
FULL = dict(channels=(64, 192, 384, 256, 256), fc=4096)
# The scaled-down nets of the test (tests/nn/test_alexnet.cpp builds the same).
SMALL = dict(channels=(8, 12, 16, 12, 12), fc=16, classes=10)


def alexnet(geometry, channels, fc, classes):
    (k1, s1, p1), (k2, p2) = geometry["stem"], geometry["conv2"]
    kernels, strides, paddings = (k1, k2, 3, 3, 3), (s1, 1, 1, 1, 1), (p1, p2, 1, 1, 1)
    pool_after = {0: 1, 1: 2, 4: 3}
    layers, c = [], 3
    for i in range(5):
        conv = nn.Conv2d(c, channels[i], kernels[i], stride=strides[i], padding=paddings[i])
        layers.append((f"conv{i + 1}", nn.Sequential(collections.OrderedDict(conv=conv, relu=nn.ReLU()))))
        c = channels[i]
        if i in pool_after:
            layers.append((f"pool{pool_after[i]}", nn.MaxPool2d(3, 2)))
    layers.append(("flatten", nn.Flatten()))
    width = c  # 1×1 after pool3 in both geometries (checked below)
    for i in (1, 2):
        layers.append((f"fc{i}", nn.Sequential(collections.OrderedDict(linear=nn.Linear(width, fc), relu=nn.ReLU()))))
        width = fc
    layers.append(("classifier", nn.Linear(width, classes)))
    return nn.Sequential(collections.OrderedDict(layers))


def layer_shapes(model, image):
    shapes, h = [], torch.zeros(1, 3, image, image)
    with torch.no_grad():
        for name, layer in model.named_children():
            h = layer(h)
            shapes.append((name, tuple(h.shape[1:])))
    return shapes


def check_full_size():
    for label, geometry, count in (("cifar100", CIFAR100, 20495268), ("tiny_imagenet", TINY_IMAGENET, 21123080)):
        model = alexnet(geometry, FULL["channels"], FULL["fc"], geometry["classes"])
        params = sum(p.numel() for p in model.parameters())
        shapes = dict(layer_shapes(model, geometry["image"]))
        print(f"{label}: {params:,} parameters; " + ", ".join(f"{n} {'×'.join(map(str, s))}" for n, s in shapes.items()))
        if params != count:
            sys.exit(f"{label}: {params} parameters, expected {count}")
        if shapes["pool3"] != (256, 1, 1):
            sys.exit(f"{label}: pool3 gives {shapes['pool3']}, expected (256, 1, 1)")
    stem = dict(layer_shapes(alexnet(TINY_IMAGENET, FULL["channels"], FULL["fc"], 200), 64))["conv1"]
    if stem != (64, 15, 15):
        sys.exit(f"tiny_imagenet: conv1 gives {stem}, expected (64, 15, 15)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    check_full_size()
    torch.manual_seed(args.seed)
    tensors = collections.OrderedDict()
    for label, geometry in (("cifar100", CIFAR100), ("tiny_imagenet", TINY_IMAGENET)):
        model = alexnet(geometry, SMALL["channels"], SMALL["fc"], SMALL["classes"]).eval()
        with torch.no_grad():  # keep activations O(1) through the eight layers (see the docstring)
            for name, p in model.named_parameters():
                if name.endswith("weight"):
                    p.mul_(6 ** 0.5)
        x = torch.rand(2, 3, geometry["image"], geometry["image"])
        with torch.no_grad():
            logits32 = model(x)
            logits = model.double()(x.double())
        for name, p in model.named_parameters():
            tensors[f"{label}.model.{name}"] = p.detach().float().numpy()
        tensors[f"{label}.input"] = x.numpy()
        tensors[f"{label}.logits"] = logits.float().numpy()
        err = (logits32.double() - logits).abs().max().item()
        print(f"{label} (small): logits {tuple(logits.shape)}, max |logit| {logits.abs().max().item():.4g}, "
              f"spread between the two images {(logits[0] - logits[1]).abs().max().item():.4g}, "
              f"PyTorch float32 vs float64 max |diff| {err:.3g}")
    write_safetensors(args.out, tensors, {"format": "probenet", "source": "scripts/torch_alexnet_reference.py",
                                          "seed": str(args.seed)})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
