#!/usr/bin/env bash
# Same-initialisation cross-check: PyTorch and probenet train the paper's model from the very same
# initial weights on the same data, in the same order; the script prints both per-epoch tables and
# compares the weights after the last epoch tensor by tensor.
#   scripts/torch_same_init.sh {mlp,cnn} [epochs=1] [seed=42] [threads=2] [train_size=0 (all)]
# train_size = 1280 with epochs = 1 compares the first 10 CNN steps (40 MLP steps), before the drift
# has grown: there the floor is far below the distance a wrong rule would make.
# Both keep IEEE subnormals (PyTorch's default; probenet --denormals keep) and corrupt nothing
# (p = 0). Float32 sums taken in another order make two runs drift apart, and training amplifies
# the drift, so the weights never agree bit for bit. The yardstick is PyTorch against itself: a
# second PyTorch run with another thread count (1 ↔ T) sums in another order too, and its distance
# from the first is the floor. probenet within that floor computes the same training; a wrong
# gradient, init mapping, loss reduction or optimizer rule lands far above it.
# Outputs go to results/same_init/<model>/.
# Needs Debian's python3-torch (PyTorch 1.13) and a build (make).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/torch_same_init.sh mlp|cnn [epochs] [seed] [threads] [train_size]" >&2; exit 2; }
model=$1
epochs=${2:-1} seed=${3:-42} threads=${4:-2} train_size=${5:-0}
case "$model" in
  mlp) experiment=./experiments/mlp_mnist ;;
  cnn) experiment=./experiments/cnn_mnist ;;
  *) echo "model must be mlp or cnn, got '$model'" >&2; exit 2 ;;
esac
[ -x "$experiment" ] || { echo "build first (make): $experiment is missing" >&2; exit 1; }
py=/usr/bin/python3
"$py" -c "import torch" 2>/dev/null || { echo "needs Debian's python3-torch (apt-get install python3-torch)" >&2; exit 1; }
out=results/same_init/$model
mkdir -p "$out"
"$py" scripts/torch_same_init.py export "$model" "$out/init_seed$seed.safetensors" --seed "$seed"
echo "== probenet"
"$experiment" --init "$out/init_seed$seed.safetensors" --corrupt 0 --max-epochs "$epochs" --train-size "$train_size" --no-probe \
  --denormals keep --threads "$threads" --out "$out/probenet" | grep -v '^ *[a-z0-9.]* *\(Sequential\|Conv2d\|Linear\|ReLU\|MaxPool2d\|Flatten\) '
# torch_train THREADS OUT_DIR. OPENBLAS_CORETYPE: the kernels probenet re-executes itself with
# (tensor/runtime.h), for whatever PyTorch hands to OpenBLAS.
torch_train() {
  OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-SkylakeX} "$py" scripts/torch_same_init.py train "$model" data/mnist \
    "$out/init_seed$seed.safetensors" "$2" --epochs "$epochs" --threads "$1" --train-size "$train_size" --denormals keep
}
echo "== PyTorch"
torch_train "$threads" "$out/torch"
other=$((threads == 1 ? 2 : 1))
echo "== PyTorch again, $other thread(s): the floor"
torch_train "$other" "$out/torch_$other"
echo "== weights after epoch $epochs: probenet (a) against PyTorch (b)"
"$py" scripts/torch_same_init.py compare "$out/probenet/model.safetensors" "$out/torch/model.safetensors"
echo "== weights after epoch $epochs: PyTorch at $other thread(s) (a) against PyTorch (b), the floor"
"$py" scripts/torch_same_init.py compare "$out/torch_$other/model.safetensors" "$out/torch/model.safetensors"
