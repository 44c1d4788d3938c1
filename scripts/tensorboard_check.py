#!/usr/bin/env python3
"""Reads TensorBoard event files back with the `tensorboard` package's own reader (PyPI
tensorboard, EventAccumulator: TFRecord framing with CRC checks, Event/Summary protos).

    python3 scripts/tensorboard_check.py runs/x/tensorboard                 # prints every scalar and image
    python3 scripts/tensorboard_check.py DIR --write Tests/ModelsTests/Fixtures/tensorboard/read_back.json
    python3 scripts/tensorboard_check.py DIR --expect-scalars 3 --expect-images 1

Prints one JSON object {"scalars": {tag: [[step, value], ...]}, "images": {tag: [[step, width,
height, png_bytes], ...]}}; --write also stores it (the CI fixture our Swift test compares with);
--expect-* fail (exit 1) when fewer were read. Every image is also decoded as a PNG when Pillow is there.
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("directory")
    ap.add_argument("--write")
    ap.add_argument("--expect-scalars", type=int, default=0, help="minimum number of scalar events")
    ap.add_argument("--expect-images", type=int, default=0, help="minimum number of image events")
    a = ap.parse_args()
    result = read(a.directory)
    text = json.dumps(result, indent=1, sort_keys=True)
    print(text)
    if a.write:
        with open(a.write, "w") as f:
            f.write(text + "\n")
    n_scalars = sum(len(v) for v in result["scalars"].values())
    n_images = sum(len(v) for v in result["images"].values())
    if n_scalars < a.expect_scalars or n_images < a.expect_images:
        print(f"read {n_scalars} scalars and {n_images} images, expected at least {a.expect_scalars} and {a.expect_images}",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
