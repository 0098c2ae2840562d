#!/usr/bin/python3
"""Reference values for probenet's probes, computed independently with numpy and scikit-learn.

Writes tests/probe/data/probe_reference.txt, read by tests/probe/test_probe_reference.cpp:
  * MNIST input layer (pixels (u8/255 - 0.5)/0.5 in [-1, 1], float64), fit on the 60000 training
    images with TRUE labels, scored on the 10000 test images: the number of correct test predictions
    of MASC at each threshold (numpy, the authors' uncentred PCA of [X; -X]), nearest class mean
    (cosine), 5-NN (cosine, sklearn KNeighborsClassifier), LDA (sklearn defaults: SVD solver) and QDA
    (sklearn defaults, reg_param 0, and reg_param 0.1).
  * A small synthetic problem (features from a closed formula that the C++ test recomputes): every
    test prediction of the same probes, so a test can compare them one by one; and QDA (reg_param 0.1)
    fitted on its first 12 rows only, 4 per class in R^6, where each class has fewer rows than
    dimensions: scikit-learn then scores in the n_c directions of its thin SVD, the last of which is a
    null vector LAPACK picks arbitrarily; probenet keeps the n_c - 1 defined ones (qda_span below).
usage: scripts/probe_reference.py [data/mnist]   (needs python3-sklearn: Debian's /usr/bin/python3)
       scripts/probe_reference.py --synthetic-only   rewrites the synthetic lines, keeps the MNIST ones
"""
import gzip, os, sys, warnings
import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.neighbors import KNeighborsClassifier


def idx(path):
    for p in (path, path + ".gz"):
        if os.path.exists(p):
            raw = (gzip.open if p.endswith(".gz") else open)(p, "rb").read()
            ndim = raw[3]
            shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
            return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(shape)
    raise SystemExit(f"missing {path}[.gz]")


def masc_correct(xtr, ytr, xte, yte, threshold, K):
    scores = np.zeros((len(xte), K))
    ks = []
    for c in range(K):
        x = xtr[ytr == c]
        cov = 2.0 * x.T @ x / (2 * len(x) - 1)   # np.cov of [x; -x]
        lam, vec = np.linalg.eigh(cov)
        lam, vec = np.clip(lam[::-1], 0, None), vec[:, ::-1]
        if threshold < 1:
            k = 1 + int(np.sum(np.cumsum(lam / lam.sum()) <= threshold))
        else:
            k = int(threshold)
        k = min(k, x.shape[1])
        ks.append(k)
        p = xte @ vec[:, :k]
        scores[:, c] = (p * p).sum(1) / (xte * xte).sum(1)
    return int((scores.argmax(1) == yte).sum()), ks


def ncm_predict(xtr, ytr, xte, K):
    means = np.stack([xtr[ytr == c].mean(0) for c in range(K)])
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    return (xte @ means.T).argmax(1)


def probes(xtr, ytr, xte, K):
    out = {"ncm": ncm_predict(xtr, ytr, xte, K)}
    out["knn"] = KNeighborsClassifier(n_neighbors=5, metric="cosine", algorithm="brute").fit(xtr, ytr).predict(xte)
    out["lda"] = LinearDiscriminantAnalysis().fit(xtr, ytr).predict(xte)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out["qda"] = QuadraticDiscriminantAnalysis().fit(xtr, ytr).predict(xte)
    out["qda_warnings"] = sorted({str(w.message) for w in caught})
    out["qda_reg0.1"] = QuadraticDiscriminantAnalysis(reg_param=0.1).fit(xtr, ytr).predict(xte)
    return out


def qda_span(xtr, ytr, xte, K, reg):
    # QDA in each class's span: the n_c - 1 directions of the centred rows when n_c <= d (all d
    # otherwise), eigenvalues (1 - reg) s^2/(n_c - 1) + reg; scikit-learn's formula without its
    # arbitrary n_c-th direction.
    scores = np.zeros((len(xte), K))
    for c in range(K):
        x = xtr[ytr == c]
        mean = x.mean(0)
        _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
        kept = min(len(x) - 1, x.shape[1]) if len(x) <= x.shape[1] else x.shape[1]
        s2 = (1 - reg) * s[:kept] ** 2 / (len(x) - 1) + reg
        z = (xte - mean) @ vt[:kept].T / np.sqrt(s2)
        scores[:, c] = -0.5 * ((z * z).sum(1) + np.log(s2).sum()) + np.log(len(x) / len(xtr))
    return scores.argmax(1)


def synthetic(n, offset):
    # 3 classes in R^6; row i has class i % 3; float32 values, as the C++ test builds them.
    i = np.arange(offset, offset + n, dtype=np.float64)[:, None]
    j = np.arange(6, dtype=np.float64)[None, :]
    c = (np.arange(offset, offset + n) % 3)[:, None]
    x = np.sin(0.37 * i * (j + 1) + c) + 0.8 * (j == 2 * c) + 0.5 * np.cos(1.3 * i + j) * (j == 2 * c + 1)
    return x.astype(np.float32).astype(np.float64), c.ravel()


def main():
    synthetic_only = sys.argv[1:] == ["--synthetic-only"]
    data = sys.argv[1] if len(sys.argv) > 1 and not synthetic_only else "data/mnist"
    lines = ["# Written by scripts/probe_reference.py (numpy %s); see that script for what each line is."
             % np.__version__]
    xs, ys = synthetic(150, 0)
    xq, yq = synthetic(60, 1000)
    syn = probes(xs, ys, xq, 3)
    for name in ("ncm", "knn", "lda", "qda", "qda_reg0.1"):
        lines.append(f"synthetic {name} " + "".join(str(v) for v in syn[name]))
    for t in (0.5, 0.8, 2):  # not 0.99: it keeps all 6 dimensions, and every class then ties
        correct, _ = masc_correct(xs, ys, xq, yq, t, 3)
        lines.append(f"synthetic masc_{t} {correct}")
    assert (qda_span(xs, ys, xq, 3, 0.1) == syn["qda_reg0.1"]).all()  # n_c > d: scikit-learn's own result
    few = qda_span(xs[:12], ys[:12], xq, 3, 0.1)
    lines.append("synthetic_few qda_span_reg0.1 " + "".join(str(v) for v in few))
    out = "tests/probe/data/probe_reference.txt"
    if synthetic_only:
        with open(out) as f:
            lines += [l.rstrip("\n") for l in f if l.startswith("mnist") or l.startswith("# mnist")]
        with open(out, "w") as f:
            f.write("\n".join(lines) + "\n")
        return

    tr = idx(f"{data}/train-images-idx3-ubyte").reshape(60000, 784)
    te = idx(f"{data}/t10k-images-idx3-ubyte").reshape(10000, 784)
    ytr = idx(f"{data}/train-labels-idx1-ubyte").astype(int)
    yte = idx(f"{data}/t10k-labels-idx1-ubyte").astype(int)
    xtr = (tr / 255.0 - 0.5) / 0.5
    xte = (te / 255.0 - 0.5) / 0.5
    xtr = xtr.astype(np.float32).astype(np.float64)  # the float32 pixels probenet sees
    xte = xte.astype(np.float32).astype(np.float64)
    for t in (0.25, 0.5, 0.75, 0.99, 1):
        correct, ks = masc_correct(xtr, ytr, xte, yte, t, 10)
        lines.append(f"mnist masc_{t} {correct} k_total {sum(ks)}")
        print(lines[-1], flush=True)
    res = probes(xtr, ytr, xte, 10)
    for name in ("ncm", "knn", "lda", "qda", "qda_reg0.1"):
        lines.append(f"mnist {name} {int((res[name] == yte).sum())}")
        print(lines[-1], flush=True)
    lines.append("# mnist qda warnings: " + " | ".join(res["qda_warnings"]))
    os.makedirs("tests/probe/data", exist_ok=True)
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
