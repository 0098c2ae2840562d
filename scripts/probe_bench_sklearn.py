#!/usr/bin/python3
"""scikit-learn's (and numpy's MASC) fit + test scoring time on the features bench/probe_bench wrote.

usage (called by `probe_bench --probes LIST --sklearn 1`): probe_bench_sklearn.py DIR LIST LAYER:D ...
DIR holds <layer>.train.f32 / .test.f32 (row-major float32) and .train.i32 / .test.i32 labels.
Each probe as the authors would run it: MASC in float64 numpy (eigh of each class's covariance of
[X; -X], 99 % of the variance); nearest class mean (numpy, cosine); KNeighborsClassifier(5, cosine,
brute); LinearDiscriminantAnalysis(); QuadraticDiscriminantAnalysis() (reg 0: it warns and divides by
round-off on rank-deficient classes, timed all the same). The linear probe (Adam-trained Linear layer)
has no scikit-learn counterpart and is skipped. Times are wall seconds of fit and of scoring the test
rows; accuracies on the test rows.
"""
import sys, time, warnings
import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis
from sklearn.neighbors import KNeighborsClassifier


class Masc:
    def fit(self, x, y):
        self.bases = []
        for c in range(10):
            xc = x[y == c].astype(np.float64)
            lam, vec = np.linalg.eigh(2.0 * xc.T @ xc / (2 * len(xc) - 1))
            lam, vec = np.clip(lam[::-1], 0, None), vec[:, ::-1]
            k = min(1 + int(np.sum(np.cumsum(lam / lam.sum()) <= 0.99)), x.shape[1])
            self.bases.append(vec[:, :k])
        return self

    def predict(self, x):
        x = x.astype(np.float64)
        return np.stack([((x @ b) ** 2).sum(1) for b in self.bases], 1).argmax(1)


class Ncm:
    def fit(self, x, y):
        m = np.stack([x[y == c].mean(0) for c in range(10)]).astype(np.float64)
        self.means = m / np.linalg.norm(m, axis=1, keepdims=True)
        return self

    def predict(self, x):
        return (x.astype(np.float64) @ self.means.T).argmax(1)


MAKERS = {
    "masc": Masc,
    "ncm": Ncm,
    "knn": lambda: KNeighborsClassifier(n_neighbors=5, metric="cosine", algorithm="brute"),
    "lda": LinearDiscriminantAnalysis,
    "qda": QuadraticDiscriminantAnalysis,
}


def main():
    folder, probes, layers = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
    print("\nscikit-learn %s / numpy %s on the same features:" % (__import__("sklearn").__version__, np.__version__))
    print("%-15s %-8s %9s %9s %8s" % ("layer", "probe", "fit s", "test s", "test acc"))
    for spec in layers:
        name, d = spec.split(":")
        d = int(d)
        xtr = np.fromfile(f"{folder}/{name}.train.f32", np.float32).reshape(-1, d)
        xte = np.fromfile(f"{folder}/{name}.test.f32", np.float32).reshape(-1, d)
        ytr = np.fromfile(f"{folder}/{name}.train.i32", np.int32)
        yte = np.fromfile(f"{folder}/{name}.test.i32", np.int32)
        for p in probes:
            if p not in MAKERS:
                print("%-15s %-8s %s" % (name, p, "no scikit-learn counterpart; skipped"))
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t = time.perf_counter()
                model = MAKERS[p]().fit(xtr, ytr)
                fit = time.perf_counter() - t
                t = time.perf_counter()
                acc = float((model.predict(xte) == yte).mean())
                test = time.perf_counter() - t
            print("%-15s %-8s %9.2f %9.2f %8.4f" % (name, p, fit, test, acc), flush=True)


if __name__ == "__main__":
    main()
