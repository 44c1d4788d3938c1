#!/usr/bin/env python3
"""Counts the public symbols of a module that have no doc comment, from the compiler's symbol graph
(the same one `make docs` renders), and lists them by file and line.

    make build   # or any release build: the .swiftmodule files in .build/release/Modules
    python3 scripts/doc_coverage.py IllusionTensors IllusionNeuralNetworks [--list] [--bin .build/release]

A symbol counts when the symbol graph lists it at `public` or `open` access; symbols the compiler
synthesises (`::SYNTHESIZED::`: protocol extension members seen through a conforming type) and
implicit memberwise/`Codable` members without a source location are not counted. A member that
implements a protocol requirement counts as documented when the requirement has a comment (DocC
shows the requirement's comment there; see inherited_documentation). Exit status 0; prints `MODULE: N of M public symbols lack a
doc comment` per module.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile


def triple():
    out = subprocess.run(["swift", "-print-target-info"], capture_output=True, text=True, check=True).stdout
    return json.loads(out)["target"]["unversionedTriple"]


def symbols(module, bin_dir, out_dir):
    subprocess.run(["swift-symbolgraph-extract", "-module-name", module, "-I", os.path.join(bin_dir, "Modules"),
                    "-I", "Sources/CBLAS", "-I", "Sources/CImageCodecs", "-target", triple(),
                    "-minimum-access-level", "public", "-output-dir", out_dir], check=True)
    graphs = [json.load(open(f)) for f in glob.glob(os.path.join(out_dir, module + "*.symbols.json"))]
    all_symbols, relationships = {}, []
    for g in graphs:
        for s in g["symbols"]:
            all_symbols[s["identifier"]["precise"]] = s
        relationships += g.get("relationships", [])
    return all_symbols, relationships


def inherited_documentation(all_symbols, relationships):
    """Members that get their documentation from a protocol: a documented requirement of the same
    name in a protocol the member's type conforms to (DocC shows the requirement's comment), or a
    documented requirement the member is a default implementation of."""
    member_of, conforms, requirements, covered = {}, {}, {}, set()
    for r in relationships:
        if r["kind"] == "memberOf":
            member_of.setdefault(r["source"], []).append(r["target"])
        elif r["kind"] == "conformsTo":
            conforms.setdefault(r["source"], []).append(r["target"])
        elif r["kind"] in ("requirementOf", "optionalRequirementOf"):
            req = all_symbols.get(r["source"])
            if req and req.get("docComment"):
                requirements.setdefault(r["target"], set()).add(req["pathComponents"][-1])
        elif r["kind"] == "defaultImplementationOf":
            req = all_symbols.get(r["target"])
            if req is None or req.get("docComment"):   # another module's requirement: documented there
                covered.add(r["source"])
    for usr, s in all_symbols.items():
        name = s["pathComponents"][-1]
        for owner in member_of.get(usr, []):
            for protocol in conforms.get(owner, []):
                if name in requirements.get(protocol, set()):
                    covered.add(usr)
    return covered


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("modules", nargs="+")
    ap.add_argument("--bin", default=".build/release")
    ap.add_argument("--list", action="store_true", help="list every undocumented symbol as file:line kind name")
    a = ap.parse_args()
    total_missing = 0
    for module in a.modules:
        with tempfile.TemporaryDirectory() as tmp:
            all_symbols, relationships = symbols(module, a.bin, tmp)
        inherited = inherited_documentation(all_symbols, relationships)
        counted, missing = 0, []
        for usr, s in all_symbols.items():
            if "::SYNTHESIZED::" in usr or s.get("accessLevel") not in ("public", "open"):
                continue
            loc = s.get("location")
            if loc is None:
                continue
            counted += 1
            if s.get("docComment") or usr in inherited:
                continue
            path = loc["uri"].replace("file://", "")
            path = os.path.relpath(path) if path.startswith("/") else path
            missing.append((path, loc["position"]["line"] + 1, s["kind"]["displayName"], ".".join(s["pathComponents"])))
        missing.sort()
        if a.list:
            for m in missing:
                print(f"{m[0]}:{m[1]}: {m[2]} {m[3]}")
        print(f"{module}: {len(missing)} of {counted} public symbols lack a doc comment")
        total_missing += len(missing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
