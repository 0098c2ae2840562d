#!/usr/bin/env python3
"""Writes the small seed corpora of the fuzz targets into fuzz/corpus/<target>/ (committed; rerun to
regenerate). Each seed is a valid file of its format, so libFuzzer starts from inputs that reach the
deep parts of each reader:
  fuzz_idx          an idx3 image file and an idx1 label file, plain and gzipped
  fuzz_safetensors  a two-tensor file (with metadata) and an empty one
  fuzz_train_state  a training state for the target's model (MLP 4 → 3 → 2, SGD), as
                    experiments/common/train_state.h lays it out, before any step and after one
                    (with momentum buffers)"""
import gzip, json, os, random, struct

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
rng = random.Random(1)


def put(target, name, data):
    os.makedirs(os.path.join(root, target), exist_ok=True)
    with open(os.path.join(root, target, name), "wb") as f:
        f.write(data)


def idx(dims, values):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(values)


images = idx([3, 4, 4], [rng.randrange(256) for _ in range(48)])
labels = idx([3], [7, 0, 9])
put("fuzz_idx", "images-idx3", images)
put("fuzz_idx", "labels-idx1", labels)
put("fuzz_idx", "images-idx3.gz", gzip.compress(images, mtime=0))
put("fuzz_idx", "labels-idx1.gz", gzip.compress(labels, mtime=0))


def safetensors(tensors, metadata):
    header = {"__metadata__": metadata}
    blob, offset = b"", 0
    for name, shape, values in tensors:
        data = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        blob += data
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + blob


def uniform(n):
    return [rng.uniform(-0.5, 0.5) for _ in range(n)]


put("fuzz_safetensors", "two-tensors", safetensors([("w", [2, 3], uniform(6)), ("b", [3], uniform(3))],
                                                   {"format": "probenet", "epochs": "1"}))
put("fuzz_safetensors", "empty", safetensors([], {"format": "probenet"}))

params = [("fc1.linear.weight", [3, 4]), ("fc1.linear.bias", [3]), ("classifier.weight", [2, 3]),
          ("classifier.bias", [2])]
numel = lambda shape: shape[0] * (shape[1] if len(shape) > 1 else 1)
model = [("model." + n, s, uniform(numel(s))) for n, s in params]
meta = {"format": "probenet", "epoch": "1", "experiment": "fuzz", "optimizer.optimizer": "SGD"}
put("fuzz_train_state", "before-step", safetensors(model, meta))
momentum = [("optimizer.%d.momentum_buffer" % i, s, uniform(numel(s))) for i, (n, s) in enumerate(params)]
put("fuzz_train_state", "after-step", safetensors(model + momentum, meta))

# CIFAR records: two CIFAR-100 records (coarse, fine, 3072 pixels) and two CIFAR-10 ones (label, pixels).
put("fuzz_cifar", "cifar100-two-records",
    b"".join(bytes([c, f]) + bytes(rng.randrange(256) for _ in range(3072)) for c, f in [(3, 42), (19, 99)]))
put("fuzz_cifar", "cifar10-two-records",
    b"".join(bytes([l]) + bytes(rng.randrange(256) for _ in range(3072)) for l in [0, 9]))


def png(width, height, channels, pixels):
    import zlib
    color = {1: 0, 3: 2}[channels]
    raw = b"".join(b"\0" + bytes(pixels[(y * width) * channels:((y + 1) * width) * channels]) for y in range(height))
    chunk = lambda kind, body: struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# Image files: 64×64 RGB and grey PNGs (a 64×64 RGB JPEG, rgb64.jpg, was written once by
# stb_image_write at quality 90 and is committed as it is).
put("fuzz_image", "rgb64.png", png(64, 64, 3, [rng.randrange(256) for _ in range(64 * 64 * 3)]))
put("fuzz_image", "grey64.png", png(64, 64, 1, [(x * 4) % 256 for x in range(64 * 64)]))
