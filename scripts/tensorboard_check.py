#!/usr/bin/env python3
"""Reads TensorBoard event files back with the `tensorboard` package's own reader (PyPI
tensorboard, EventAccumulator: TFRecord framing with CRC checks, Event/Summary protos).

    python3 scripts/tensorboard_check.py runs/x/tensorboard                 # prints every scalar and image
    python3 scripts/tensorboard_check.py DIR --write Tests/ModelsTests/Fixtures/tensorboard/read_back.json
    python3 scripts/tensorboard_check.py DIR --expect-scalars 3 --expect-images 1
    python3 scripts/tensorboard_check.py TB_DIR --run RUN --expect-images 4   # a real run's --tensorboard DIR

Prints one JSON object {"scalars": {tag: [[step, value], ...]}, "images": {tag: [[step, width,
height, png_bytes], ...]}}; --write also stores it (the CI fixture our Swift test compares with);
--expect-* fail (exit 1) when fewer were read. --run RUN also checks the run's metrics.jsonl against
what TensorBoard read: every numeric figure of every line must be the scalar `<kind>/<name>` at the
line's step (float32, relative 1e-6), and no scalar may lack its line (lines without a step are
written outside the training loop and not logged). Every image is also decoded as a PNG when Pillow is there.
"""
import argparse
import io
import json
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator


def read(directory):
    acc = EventAccumulator(directory, size_guidance={"scalars": 0, "images": 0, "tensors": 0})
    acc.Reload()
    tags = acc.Tags()
    scalars = {t: [[e.step, e.value] for e in acc.Scalars(t)] for t in sorted(tags["scalars"])}
    images = {}
    for t in sorted(tags["images"]):
        rows = []
        for e in acc.Images(t):
            png = e.encoded_image_string
            assert png[:8] == b"\x89PNG\r\n\x1a\n", f"{t} step {e.step}: not a PNG"
            try:
                from PIL import Image
                im = Image.open(io.BytesIO(png))
                assert im.size == (e.width, e.height), f"{t}: PNG is {im.size}, the summary says {(e.width, e.height)}"
            except ImportError:
                pass
            rows.append([e.step, e.width, e.height, len(png)])
        images[t] = rows
    return {"scalars": scalars, "images": images}


POSITION_FIELDS = {"kind", "epoch", "step", "best", "warnings", "phase"}


def check_against_metrics(scalars, run):
    read = {(tag, step): value for tag, rows in scalars.items() for step, value in rows}
    expected = 0
    with open(f"{run}/metrics.jsonl") as f:
        for line in f:
            m = json.loads(line)
            if "step" not in m:   # written outside the training loop (the autoencoder's latent-classifier line)
                continue
            kind, step = m.get("kind", "epoch"), m["step"]
            for name, value in m.items():
                if name in POSITION_FIELDS or isinstance(value, bool) or not isinstance(value, (int, float)):
                    continue
                expected += 1
                got = read.get((f"{kind}/{name}", step))
                assert got is not None, f"{kind}/{name} at step {step} is in metrics.jsonl but not in the event file"
                assert abs(got - value) <= 1e-6 * max(1.0, abs(value)), f"{kind}/{name} at step {step}: {got} vs {value}"
    assert expected == len(read), f"{len(read)} scalars read, metrics.jsonl has {expected} figures"
    print(f"all {expected} metrics.jsonl figures of {run} read back from the event file", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("directory")
    ap.add_argument("--write")
    ap.add_argument("--expect-scalars", type=int, default=0, help="minimum number of scalar events")
    ap.add_argument("--expect-images", type=int, default=0, help="minimum number of image events")
    ap.add_argument("--run", help="run folder whose metrics.jsonl the scalars must equal")
    a = ap.parse_args()
    result = read(a.directory)
    text = json.dumps(result, indent=1, sort_keys=True)
    print(text)
    if a.write:
        with open(a.write, "w") as f:
            f.write(text + "\n")
    if a.run:
        check_against_metrics(result["scalars"], a.run)
    n_scalars = sum(len(v) for v in result["scalars"].values())
    n_images = sum(len(v) for v in result["images"].values())
    if n_scalars < a.expect_scalars or n_images < a.expect_images:
        print(f"read {n_scalars} scalars and {n_images} images, expected at least {a.expect_scalars} and {a.expect_images}",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
