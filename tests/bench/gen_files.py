#!/usr/bin/env python3
"""Deterministic folder of small request files for the many-files benchmark (issue 4, item 9).

Python 3 standard library only. Same seed + same count => byte-identical files.

    python3 tests/bench/gen_files.py [--out DIR] [--count N] [--seed S]

Writes N files (default 2,000) named req_0001.json ... under --out (default
tests/bench/corpus/files), plus truth.tsv (file <TAB> 0|1, 1 = meant to be valid <TAB> profile
dir <TAB> fixture). The requests come from the same templates, with the same proportions, as
gen_mixed.py's batch: all six profiles, a third of them from fixtures whose golden report has an
error or a warning, prompts replaced by random text of 40-1,800 characters. Each file is one
request pretty-printed with a two-space indent, as request templates kept in a repository are;
templates that are not plain JSON (syntax errors, duplicate keys) are written as the fixture is.
"""
import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_mixed  # noqa: E402  (the templates and the prompt generator)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "corpus", "files"))
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20261121)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    valid, invalid = gen_mixed.load_templates(root)
    os.makedirs(args.out, exist_ok=True)
    total = 0
    with open(os.path.join(args.out, "truth.tsv"), "w", encoding="utf-8", newline="\n") as truth:
        for i in range(1, args.count + 1):
            ok = rng.random() >= 1 / 3
            prof, name, _, obj, vary = rng.choice(valid if ok else invalid)
            if obj is None:
                with open(os.path.join(root, "fixtures", prof, name), encoding="utf-8") as f:
                    text = f.read()
            else:
                obj = json.loads(json.dumps(obj))
                if vary:
                    gen_mixed._reprompt(obj, rng)
                text = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
            fname = f"req_{i:04d}.json"
            with open(os.path.join(args.out, fname), "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            total += len(text.encode("utf-8"))
            truth.write(f"{fname}\t{int(ok)}\t{prof}\t{name}\n")
    print(json.dumps({"files": args.count, "bytes": total, "seed": args.seed}))


if __name__ == "__main__":
    main()
