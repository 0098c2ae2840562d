# A thin driver over CMake (CMakeLists.txt is the one build description).
#   make          configure (prints the ✓/✗ dependency summary) and build Release into build/
#   make test     build, then run every test through ctest
#   make deps     install the Debian packages probenet needs (scripts/install_deps.sh)
#   make data     fetch MNIST and Fashion-MNIST into data/ (scripts/fetch_data.sh)
#   make run      deps + data + build, then the main job: ./experiments/mlp_mnist
#   make paper    build, then the paper's whole grid: ./experiments/paper (PAPER_FLAGS="--plan", say)
#   make bench    install the peers (scripts/install_bench_deps.sh), build, and run the CPU benchmarks
#                 against PyTorch, libtorch and dlib (bench/run_cpu.sh)
#   make sanitize build the tests with AddressSanitizer + UBSan into build-sanitize/ and run them
#   make fuzz     build the libFuzzer targets (clang) into build-fuzz/, run each FUZZ_SECONDS (default 60)
#   make clean    remove build outputs
# Variables: CUDA=AUTO|ON|OFF (default AUTO), BUILD=build, JOBS=<cores>.
BUILD ?= build
CUDA ?= AUTO
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
FUZZ_SKIP ?=
PAPER_FLAGS ?=

.PHONY: all configure test deps data run paper bench bench-deps sanitize fuzz clean

all: configure
	cmake --build $(BUILD) -j $(JOBS)

configure:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPROBENET_CUDA=$(CUDA)

test: all
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

deps:
	bash scripts/install_deps.sh

data:
	bash scripts/fetch_data.sh

run: deps data all
	./experiments/mlp_mnist

paper: all
	./experiments/paper $(PAPER_FLAGS)

bench-deps:
	bash scripts/install_bench_deps.sh

bench: bench-deps all
	bash bench/run_cpu.sh

sanitize:
	cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Release -DPROBENET_CUDA=OFF -DPROBENET_SANITIZE=ON
	cmake --build build-sanitize -j $(JOBS)
	cd build-sanitize && ctest --output-on-failure -j $(JOBS)

fuzz:
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DPROBENET_CUDA=OFF -DPROBENET_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS) --target fuzz_targets
	bash fuzz/run.sh build-fuzz/fuzz $(FUZZ_SECONDS) "$(FUZZ_SKIP)"

clean:
	rm -rf $(BUILD)
	find experiments -maxdepth 1 -type f -perm -u+x -delete
