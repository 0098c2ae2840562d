#!/usr/bin/env bash
# gpu_check.sh — the CUDA backend's check on a GPU machine lent for a session, in two halves:
#
#   bash bench/gpu_check.sh stage   HERE, no GPU needed: a portable Release build with CUDA into
#                                   build-gpu/ (no -march=native: the GPU machine's CPU differs),
#                                   then .gpu/ (git-ignored) = the [cuda] test binary, the GPU
#                                   benchmarks, and the CPU libraries that machine lacks (OpenBLAS,
#                                   LAPACK(E), gfortran, quadmath, gomp — found with ldd). cuDNN and
#                                   cuBLAS are not carried (hundreds of MB): the machine's PyTorch venv
#                                   has them, and the CUDA runtime is linked statically. Fails above 60 MiB.
#   bash bench/gpu_check.sh run     THERE: prints nvidia-smi and the libraries found, runs the [cuda]
#                                   tests, then times training steps of the paper's MLP (batch 32, 128,
#                                   512) and CNN (batch 128) against PyTorch on the same GPU (same
#                                   models and optimizers, data resident on the GPU, loss read on the
#                                   host every step on both sides, FP32 without TF32) and prints ratios.
#                                   Everything goes to $OUT/gpu_check.log; the exit status is non-zero
#                                   when a test or a benchmark fails.
#
# The device call (one call; give the machine back afterwards unless rerunning at once):
#   run(command="bash bench/gpu_check.sh run", carry=[".gpu"], timeout_s=480)
# The run half takes about 2–4 minutes of device time after the machine's start (tests ≈ 1 min,
# benchmarks ≈ 1 min, PyTorch's import and cuDNN/cuBLAS loading the rest).
set -uo pipefail
cd "$(dirname "$0")/.."

die() { echo "gpu_check: $*" >&2; exit 1; }

# CPU libraries to carry: what the binaries load from the BLAS/LAPACK/Fortran/OpenMP family.
CARRY_LIBS='^lib(openblas|blas|lapack|lapacke|gfortran|quadmath|gomp)\.so'
BINARIES=(probenet_tests bench/mlp_gpu_bench bench/cnn_gpu_bench)
MAX_BYTES=$((60 * 1024 * 1024))

stage() {
  set -e
  command -v nvcc >/dev/null || [ -x /usr/local/cuda/bin/nvcc ] || die "nvcc not found: staging needs the CUDA toolkit here"
  local t0=$SECONDS
  cmake -S . -B build-gpu -DPROBENET_CUDA=ON -DCMAKE_BUILD_TYPE=Release -DPROBENET_NATIVE=OFF >/dev/null \
    || die "configure failed: run 'cmake -S . -B build-gpu -DPROBENET_CUDA=ON -DPROBENET_NATIVE=OFF' to see why"
  cmake --build build-gpu -j "$(nproc)" --target probenet_tests mlp_gpu_bench cnn_gpu_bench >/dev/null \
    || die "build failed: run 'cmake --build build-gpu' to see the errors"
  echo "built build-gpu in $((SECONDS - t0)) s"
  rm -rf .gpu && mkdir -p .gpu
  for b in "${BINARIES[@]}"; do
    cp "build-gpu/$b" .gpu/ && strip --strip-unneeded ".gpu/$(basename "$b")"
  done
  # Every library the binaries load (ldd lists the transitive ones too), filtered to the carried family.
  for b in "${BINARIES[@]}"; do ldd ".gpu/$(basename "$b")"; done | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' |
    sort -u | while read -r soname path; do
      if [[ $soname =~ $CARRY_LIBS ]]; then cp -L "$path" ".gpu/$soname"; fi
    done
  # Check that with .gpu first on the path nothing but the machine's own libraries is left outside.
  local missing
  missing=$(for b in "${BINARIES[@]}"; do LD_LIBRARY_PATH=.gpu ldd ".gpu/$(basename "$b")"; done |
            awk '$2 == "=>" {print $1, $3}' | grep -E "$CARRY_LIBS" | grep -v " $PWD/.gpu/\| .gpu/" || true)
  [ -z "$missing" ] || die "these carried libraries do not resolve into .gpu: $missing"
  {
    echo "staged $(date -u +%FT%TZ) from $(git rev-parse --short HEAD)$(git diff --quiet HEAD || echo '+uncommitted changes')"
    echo "built on $(. /etc/os-release && echo "$PRETTY_NAME"), $(ldd --version | head -n 1)"
    echo "CUDA $(nvcc --version 2>/dev/null | grep -o 'release [0-9.]*' || echo '?'), architectures $(grep -o 'CMAKE_CUDA_ARCHITECTURES:STRING=.*' build-gpu/CMakeCache.txt | cut -d= -f2)"
    (cd .gpu && ls -l --block-size=K | tail -n +2 | awk '{print "  " $5, $9}')
  } > .gpu/MANIFEST
  cat .gpu/MANIFEST
  local bytes
  bytes=$(du -sb .gpu | cut -f1)
  echo "staged .gpu: $((bytes / 1024 / 1024)) MiB ($bytes bytes)"
  [ "$bytes" -le "$MAX_BYTES" ] || die ".gpu is over 60 MiB: it would not fit the 64 MiB that travels"
  echo 'next: run(command="bash bench/gpu_check.sh run", carry=[".gpu"], timeout_s=480)'
}

# The venv's library folders for cuDNN and cuBLAS (the nvidia-* wheels), then the toolkit's.
nvidia_lib_dirs() {
  python3 - <<'EOF'
import glob, os
dirs = []
try:
    import nvidia  # a namespace package: the wheels' folders are under nvidia.__path__
    roots = list(nvidia.__path__)
except Exception:
    roots = []
for root in roots:
    for pattern in ("**/libcudnn.so.9", "**/libcublas.so.*", "**/libcublasLt.so.*"):
        for f in glob.glob(os.path.join(root, pattern), recursive=True):
            d = os.path.dirname(os.path.realpath(f))
            if d not in dirs:
                dirs.append(d)
for d in ("/usr/local/cuda/lib64", "/usr/local/cuda/lib"):
    if os.path.isdir(d) and d not in dirs:
        dirs.append(d)
print(":".join(dirs))
EOF
}

# PyTorch's steps on the same GPU: the models of bench/torch_step.py (MLP with SGD lr 1e-3
# momentum 0.9, CNN with Adam lr 2e-4), data resident on the GPU, the loss read on the host each
# step (as probenet's cross_entropy does), TF32 off (probenet computes in plain FP32) and cuDNN's
# heuristic algorithm choice (benchmark off, as probenet's). Written to a file so that `timeout` can
# run it; arguments: model:batch:steps ...; prints `model M batch B step_ms X` per case.
write_torch_reference() {
  cat > "$1" <<'PY'
import sys, time
import torch
import torch.nn as nn
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = False
print(f"torch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, "
      f"{torch.cuda.get_device_name()}", flush=True)

def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 512), nn.ReLU(),
                         nn.Linear(512, 2048), nn.ReLU(), nn.Linear(2048, 2048), nn.ReLU(), nn.Linear(2048, 10))

def cnn():
    def block(i, o):
        return [nn.Conv2d(i, o, 3, padding=1), nn.ReLU(), nn.Conv2d(o, o, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*block(1, 16), *block(16, 32), *block(32, 64), nn.Flatten(),
                         nn.Linear(576, 250), nn.ReLU(), nn.Linear(250, 250), nn.ReLU(),
                         nn.Linear(250, 250), nn.ReLU(), nn.Linear(250, 10, bias=False))

for case in sys.argv[1:]:
    name, batch, steps = case.split(":")
    batch, steps, warmup = int(batch), int(steps), 20
    torch.manual_seed(1)
    dev = "cuda"
    model = (mlp() if name == "mlp" else cnn()).to(dev)
    opt = (torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9) if name == "mlp"
           else torch.optim.Adam(model.parameters(), lr=2e-4))
    loss_fn = nn.CrossEntropyLoss()
    xs = [torch.rand(batch, 1, 28, 28, device=dev) * 2 - 1 for _ in range(8)]
    ys = [torch.randint(0, 10, (batch,), device=dev) for _ in range(8)]
    for s in range(warmup + steps):
        if s == warmup:
            torch.cuda.synchronize()
            t0 = time.perf_counter()
        loss = loss_fn(model(xs[s % 8]), ys[s % 8])
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss.item()
    torch.cuda.synchronize()
    print(f"model {name} batch {batch} step_ms {(time.perf_counter() - t0) / steps * 1e3:.4f}", flush=True)
PY
}

run_body() {
  local status=0
  [ -f .gpu/probenet_tests ] || die "no .gpu/probenet_tests: run 'bash bench/gpu_check.sh stage' on the build machine and carry .gpu"
  echo "== manifest"; cat .gpu/MANIFEST
  local bin=$PWD/.gpu
  if ! [ -x "$bin/probenet_tests" ]; then  # carried files may arrive without their executable bit
    rm -rf /tmp/probenet_gpu && cp -r .gpu /tmp/probenet_gpu && chmod +x /tmp/probenet_gpu/* && bin=/tmp/probenet_gpu
  fi
  echo "== machine"; nvidia-smi || echo "nvidia-smi failed"
  uname -m; (. /etc/os-release && echo "$PRETTY_NAME"); ldd --version | head -n 1
  local nvlibs
  nvlibs=$(nvidia_lib_dirs)
  echo "cuDNN/cuBLAS library folders: ${nvlibs:-none found}"
  # Only probenet's binaries get these folders: PyTorch keeps its own library path.
  ours() { LD_LIBRARY_PATH="$bin:$nvlibs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"; }
  echo "== libraries the test binary loads"
  ours ldd "$bin/probenet_tests" | grep -E 'cudnn|cublas|openblas|lapack|gfortran|gomp|not found'
  if ours ldd "$bin/probenet_tests" | grep -q 'not found'; then
    echo "gpu_check: missing libraries (above): the tests cannot start"; return 1
  fi

  echo "== [cuda] tests"
  ours timeout 300 "$bin/probenet_tests" "[cuda]" --durations yes || { echo "gpu_check: [cuda] tests FAILED"; status=1; }

  echo "== training steps, probenet vs PyTorch, same GPU"
  local cases=(mlp:32:300 mlp:128:300 mlp:512:300 cnn:128:100)
  declare -A ours_ms=() torch_ms=()
  local c model batch steps ms
  for c in "${cases[@]}"; do
    IFS=: read -r model batch steps <<< "$c"
    ms=$(ours timeout 120 "$bin/${model}_gpu_bench" --device cuda --batch "$batch" --steps "$steps" 2>&1 |
         tee /dev/stderr | grep -o 'step_ms [0-9.]*' | awk '{print $2}')
    ours_ms[$model/$batch]=$ms
    [ -n "$ms" ] || { echo "gpu_check: ${model}_gpu_bench failed at batch $batch"; status=1; }
  done
  write_torch_reference /tmp/probenet_torch_reference.py
  while IFS= read -r line; do
    echo "$line"
    if [[ $line =~ model\ ([a-z]+)\ batch\ ([0-9]+)\ step_ms\ ([0-9.]+) ]]; then
      torch_ms[${BASH_REMATCH[1]}/${BASH_REMATCH[2]}]=${BASH_REMATCH[3]}
    fi
  done < <(PYTHONUNBUFFERED=1 timeout 240 python3 /tmp/probenet_torch_reference.py "${cases[@]}" 2>&1)
  [ ${#torch_ms[@]} -eq ${#cases[@]} ] || { echo "gpu_check: the PyTorch reference did not finish"; status=1; }
  echo
  printf '%-12s %14s %14s %18s\n' model/batch probenet_ms torch_ms "probenet ÷ torch"
  for c in "${cases[@]}"; do
    IFS=: read -r model batch steps <<< "$c"
    awk -v k="$model/$batch" -v p="${ours_ms[$model/$batch]:-nan}" -v t="${torch_ms[$model/$batch]:-nan}" \
      'BEGIN { r = (p + 0 > 0 && t + 0 > 0) ? sprintf("%.2f", p / t) : "n/a"; printf "%-12s %14s %14s %18s\n", k, p, t, r }'
  done
  return $status
}

case "${1:-}" in
  stage) stage ;;
  run)
    OUT=${OUT:-$PWD/gpu_out}
    mkdir -p "$OUT"
    run_body 2>&1 | tee "$OUT/gpu_check.log"
    exit "${PIPESTATUS[0]}"
    ;;
  *) die "usage: bash bench/gpu_check.sh stage|run (stage here, run on the GPU machine; see the header)" ;;
esac
