#!/usr/bin/env bash
# libFuzzer targets for the parsers of untrusted files (Fuzz/*.swift), each built with
# `swiftc -sanitize=fuzzer` against the library sources it exercises (not through SwiftPM).
#   scripts/fuzz.sh TARGET [SECONDS]      TARGET: safetensors | idx | images | csv | config | all
# Runs TARGET for SECONDS (default 180) on Fuzz/corpus/TARGET (new inputs are added there; merge
# with `-merge=1` before committing), writes crashes as .build/fuzz/crash-TARGET-*.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh safetensors|idx|images|csv|config|all [seconds]}
seconds=${2:-180}
out=.build/fuzz
mkdir -p "$out"

sources() {
    case "$1" in
        safetensors) find Sources/IllusionTensors -name '*.swift' | sort; echo Fuzz/SafeTensorsFuzz.swift ;;
        idx) echo Sources/IllusionDatasets/Loaders/IDXFile.swift Sources/IllusionDatasets/Loaders/GzipInflater.swift \
                  Sources/IllusionDatasets/Loaders/FileBytes.swift Sources/IllusionDatasets/DatasetError.swift Fuzz/IDXFuzz.swift ;;
        images) ls Sources/IllusionImaging/Codecs/*.swift | grep -v 'PixelImage+Tensor'
                echo Sources/IllusionImaging/ImagingError.swift Sources/IllusionImaging/AtomicFileWriter.swift Fuzz/ImageFuzz.swift ;;
        csv) find Sources/IllusionTensors -name '*.swift' | sort
             echo Sources/IllusionModels/Regression/CSVRecords.swift Sources/IllusionModels/Regression/CSVTable.swift \
                  Sources/IllusionModels/Regression/LinearRegressionData.swift Sources/IllusionModels/Runs/ModelError.swift Fuzz/CSVFuzz.swift ;;
        config) echo Sources/IllusionModels/Runs/ConfigFileCheck.swift Sources/IllusionModels/Runs/ModelError.swift Fuzz/ConfigFuzz.swift ;;
        *) echo "unknown target $1" >&2; exit 2 ;;
    esac
}

run() {
    local t=$1
    # shellcheck disable=SC2046
    swiftc -sanitize=fuzzer -parse-as-library -O -module-name "Fuzz_$t" \
        -I Sources/CBLAS -I Sources/CImageCodecs $(sources "$t") -lopenblas -lpng16 -lturbojpeg -lz -o "$out/fuzz-$t"
    mkdir -p "Fuzz/corpus/$t"
    SWIFT_BACKTRACE=enable=no "$out/fuzz-$t" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="$out/crash-$t-" -print_final_stats=1 "Fuzz/corpus/$t"
}

if [ "$target" = all ]; then
    for t in safetensors idx images csv config; do run "$t"; done
else
    run "$target"
fi
