"""Same-initialisation cross-check against PyTorch: does probenet train the paper's models the way
PyTorch does, given the very same starting weights?

  torch_same_init.py export {mlp,cnn} OUT.safetensors [--seed S]
      builds the model in PyTorch with torch.manual_seed(S) and writes its initial weights under
      probenet's parameter names (the modules below are named like nn/models/*.cpp), for
      `./experiments/<exp> --init OUT.safetensors`.
  torch_same_init.py train {mlp,cnn} DATA_DIR INIT.safetensors OUT_DIR [--epochs E] [--corrupt P]
                     [--threads T] [--denormals keep|flush] [--target-acc A]
                     [--train-size N]
      trains PyTorch from those weights with the authors' protocol (docs/protocol.md: file
      order, no shuffling; MLP SGD lr 1e-3 momentum 0.9 batch 32; CNN Adam lr 2e-4 batch 128; labels
      corrupted with numpy seed 42), printing probenet's per-epoch line (loss, running train
      accuracy on the corrupted and true labels, test accuracy, seconds); with --target-acc it stops
      after the epoch whose running train accuracy reaches A (the paper's stop rule, e.g. 0.999 for
      MNIST), else after E epochs; --train-size N trains on the first N samples only (probenet's
      flag of that name), e.g. 1280 for the first 10 CNN steps. Writes OUT_DIR/metrics.csv
      and OUT_DIR/model.safetensors (the weights after the last epoch).
  torch_same_init.py compare A.safetensors B.safetensors
      per tensor: max |a − b| and ‖a − b‖ / ‖b‖; exits 1 if a name or shape differs.

scripts/torch_same_init.sh runs all three against a probenet run. Needs Debian's python3-torch.
The safetensors reader/writer here is the format's few lines (8-byte header length, JSON, raw
little-endian float32), so no extra package is needed.
"""
import argparse
import collections
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn


def mlp_model(classes=10):
    layers = [("flatten", nn.Flatten())]
    width = 784
    for i, h in enumerate([128, 512, 2048, 2048]):
        layers.append((f"fc{i + 1}", nn.Sequential(collections.OrderedDict(linear=nn.Linear(width, h), relu=nn.ReLU()))))
        width = h
    layers.append(("classifier", nn.Linear(width, classes)))
    return nn.Sequential(collections.OrderedDict(layers))


def cnn_model(classes=10, channels=1, size=28):
    layers, c = [], channels
    for i, o in enumerate([16, 16, 32, 32, 64, 64]):
        conv = nn.Conv2d(c, o, 3, padding=1)
        layers.append((f"conv{i + 1}", nn.Sequential(collections.OrderedDict(conv=conv, relu=nn.ReLU()))))
        c = o
        if i % 2 == 1:
            layers.append((f"pool{i // 2 + 1}", nn.MaxPool2d(2, 2)))
            size //= 2
    layers.append(("flatten", nn.Flatten()))
    width = c * size * size
    for i in range(1, 4):
        layers.append((f"fc{i}", nn.Sequential(collections.OrderedDict(linear=nn.Linear(width, 250), relu=nn.ReLU()))))
        width = 250
    layers.append(("classifier", nn.Linear(250, classes, bias=False)))
    return nn.Sequential(collections.OrderedDict(layers))


def write_safetensors(path, tensors, metadata=None):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        b = np.ascontiguousarray(t, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header).encode()
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        if spec["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} is {spec['dtype']}, expected F32")
        b, e = spec["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype="<f4").reshape(spec["shape"])
    return out


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        magic = struct.unpack(">I", f.read(4))[0]
        dims = struct.unpack(">" + "I" * (magic & 0xFF), f.read(4 * (magic & 0xFF)))
        return np.frombuffer(f.read(), dtype=np.uint8).reshape(dims)


def load_split(folder, prefix):
    def find(stem):
        for name in (stem, stem + ".gz"):
            if os.path.exists(os.path.join(folder, name)):
                return os.path.join(folder, name)
        sys.exit(f"{folder}: no {stem} or {stem}.gz (run 'make data')")
    x = read_idx(find(f"{prefix}-images-idx3-ubyte")).astype(np.float32) / 255.0
    y = read_idx(find(f"{prefix}-labels-idx1-ubyte")).astype(np.int64)
    return torch.from_numpy((x - 0.5) / 0.5).reshape(-1, 1, 28, 28), y


def corrupt(labels, p, k=10):  # the authors' rule, numpy's legacy RandomState
    labels = labels.copy()
    np.random.seed(42)
    mask = np.random.rand(len(labels)) <= p
    labels[mask] = np.random.choice(k, mask.sum())
    return labels


def state_arrays(model):
    return {name: t.detach().numpy() for name, t in model.state_dict().items()}


def export(a):
    torch.manual_seed(a.seed)
    model = mlp_model() if a.model == "mlp" else cnn_model()
    write_safetensors(a.out, state_arrays(model), {"format": "probenet", "source": f"torch {torch.__version__} "
                      f"manual_seed({a.seed}) default init"})
    print(f"wrote {a.out}: PyTorch {torch.__version__} initialisation, seed {a.seed}")


def train(a):
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(a.denormals == "flush")
    model = mlp_model() if a.model == "mlp" else cnn_model()
    init = read_safetensors(a.init)
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in init.items()}, strict=True)
    xtr, ytrue = load_split(a.data, "train")
    xte, yte = load_split(a.data, "t10k")
    if a.train_size:  # cut, then corrupt the prefix's labels: as probenet's --train-size does
        xtr, ytrue = xtr[:a.train_size], ytrue[:a.train_size]
    ycorr = corrupt(ytrue, a.corrupt)
    if a.model == "mlp":
        bs, opt = 32, torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
    else:
        bs, opt = 128, torch.optim.Adam(model.parameters(), lr=2e-4)
    yc, yt = torch.from_numpy(ycorr), torch.from_numpy(ytrue)
    loss_fn = nn.CrossEntropyLoss()
    os.makedirs(a.out_dir, exist_ok=True)
    rows = []
    print(f"PyTorch {torch.__version__}, {a.threads} threads, denormals {a.denormals}; "
          f"{a.model} from {a.init}, p = {a.corrupt}")
    print("%5s %9s %11s %11s %9s %8s" % ("epoch", "loss", "train(corr)", "train(true)", "test", "seconds"))
    for ep in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        loss_sum, hit_c, hit_t, batches = 0.0, 0, 0, 0
        for i in range(0, len(xtr), bs):
            out = model(xtr[i:i + bs])
            loss = loss_fn(out, yc[i:i + bs])
            pred = out.argmax(1)
            hit_c += int((pred == yc[i:i + bs]).sum())
            hit_t += int((pred == yt[i:i + bs]).sum())
            loss_sum += float(loss)  # probenet's epoch loss: the mean of the batch means
            batches += 1
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            test = sum(int((model(xte[i:i + 1000]).argmax(1) == torch.from_numpy(yte[i:i + 1000])).sum())
                       for i in range(0, len(xte), 1000)) / len(xte)
        n = len(xtr)
        row = (ep, loss_sum / batches, hit_c / n, hit_t / n, test, time.perf_counter() - t0)
        rows.append(row)
        print("%5d %9.5f %11.4f %11.4f %9.4f %8.2f" % row, flush=True)
        if a.target_acc is not None and hit_c / n >= a.target_acc:
            print(f"stop rule reached after {ep} epochs")
            break
    with open(os.path.join(a.out_dir, "metrics.csv"), "w") as f:
        f.write("epoch,loss,train_acc_corrupt,train_acc_true,test_acc,seconds\n")  # probenet's columns
        for r in rows:
            f.write("%d,%.9g,%.9g,%.9g,%.9g,%.3f\n" % r)
    write_safetensors(os.path.join(a.out_dir, "model.safetensors"), state_arrays(model),
                      {"format": "probenet", "epochs": str(len(rows)), "source": f"torch {torch.__version__}"})


def compare(a):
    x, y = read_safetensors(a.a), read_safetensors(a.b)
    if x.keys() != y.keys():
        sys.exit(f"different tensor names: only in {a.a}: {sorted(x.keys() - y.keys())}, "
                 f"only in {a.b}: {sorted(y.keys() - x.keys())}")
    worst = 0.0
    print("%-24s %12s %14s" % ("tensor", "max |a-b|", "|a-b| / |b|"))
    for name in y:
        if x[name].shape != y[name].shape:
            sys.exit(f"{name}: shape {x[name].shape} in {a.a}, {y[name].shape} in {a.b}")
        d = x[name].astype(np.float64) - y[name].astype(np.float64)
        rel = np.linalg.norm(d) / max(np.linalg.norm(y[name].astype(np.float64)), 1e-300)
        worst = max(worst, rel)
        print("%-24s %12.3e %14.3e" % (name, np.abs(d).max(), rel))
    print("largest relative difference %.3e" % worst)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("model", choices=["mlp", "cnn"])
    e.add_argument("out")
    e.add_argument("--seed", type=int, default=42)
    t = sub.add_parser("train")
    t.add_argument("model", choices=["mlp", "cnn"])
    t.add_argument("data")
    t.add_argument("init")
    t.add_argument("out_dir")
    t.add_argument("--epochs", type=int, default=1)
    t.add_argument("--corrupt", type=float, default=0.0)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--denormals", choices=["keep", "flush"], default="keep")
    t.add_argument("--target-acc", type=float, default=None)
    t.add_argument("--train-size", type=int, default=0)
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    a = ap.parse_args()
    {"export": export, "train": train, "compare": compare}[a.cmd](a)


if __name__ == "__main__":
    main()
