#!/usr/bin/env python3
"""Deterministic mixed-profile JSON Lines batch for the full-lint benchmark (issue 3, item 11).

Python 3 standard library only. Same seed + same size => byte-identical output.

    python3 tests/bench/gen_mixed.py [--out DIR] [--mb N] [--seed S]

Writes under --out (default tests/bench/corpus/mixed):
  batch.jsonl   about --mb * 10^6 bytes, one compact request per line, all six profiles
                (Givon kling-3.0 / kling-3.0-omni, Replicate, ezmodel kling-v3-omni /
                kling-video-o1, Unifically)
  truth.tsv     line number <TAB> 0|1 (1 = meant to be valid) <TAB> profile dir <TAB> fixture
  manifest.json size, counts per profile, seed

The records are built from the fixtures in fixtures/<profile>/: every fixture whose golden JSON
report (*.json.golden) has no error and no warning is a valid template, every one with at least
one error or warning an invalid template (the expected findings come from the goldens, which the
fixture tests check against klint; this script never runs klint). About a third of the records
come from invalid templates. To make the payloads realistic in size, the prompt of a template
that parses as plain JSON (and whose name does not mention prompts) is replaced by a random
English-like prompt of 40-1,800 characters, and shot prompts likewise; templates that are not
plain JSON (syntax errors, duplicate keys) are kept as written, with their line breaks turned
into spaces, which changes nothing for a JSON parser. The model--* and detect--* fixtures are left out (the fixture tests run
them with the profile forced; in a batch the model field selects the profile). Fixtures over 64 KiB (the 1.4 MB data-URI
ones) are left out: they would make up half of the bytes.
"""
import argparse
import glob
import json
import os
import random

PROFILES = ["givon--kling-3.0", "givon--kling-3.0-omni", "replicate--kwaivgi--kling-v3-omni-video",
            "ezmodel--kling-v3-omni", "ezmodel--kling-video-o1",
            "unifically--kuaishou--kling-3.0-omni-video"]
WORDS = ("a the slow cinematic shot of red fox trots through snowy birch forest camera tracking "
         "alongside golden hour light neon city hero walks rain reflections close up wide angle "
         "drone over mountains ocean waves crash against cliffs soft focus bokeh dramatic "
         "lighting character turns smiles wind blows hair dolly zoom handheld steady motion "
         "blur sunset silhouette market crowd street food steam lantern night sky stars").split()

# fixture names whose findings depend on the prompt text: their prompts are kept
KEEP_PROMPT = ("prompt", "length", "shot", "token", "doc-example")


class _Dup(Exception):
    pass


def _no_dup(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise _Dup()
    return dict(pairs)


def _prompt(rng):
    n = rng.randint(40, 1800)
    out = []
    size = 0
    while size < n:
        w = rng.choice(WORDS)
        out.append(w)
        size += len(w) + 1
    s = " ".join(out)[:n].rstrip()
    return s[0].upper() + s[1:] + "."


def _reprompt(obj, rng):
    """Replace every non-empty string "prompt" member, at any depth, by a random prompt."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "prompt" and isinstance(v, str) and v:
                obj[k] = _prompt(rng)
            else:
                _reprompt(v, rng)
    elif isinstance(obj, list):
        for v in obj:
            _reprompt(v, rng)


def load_templates(root):
    valid, invalid = [], []
    for prof in PROFILES:
        for path in sorted(glob.glob(os.path.join(root, "fixtures", prof, "*.json"))):
            golden = path + ".golden"
            if not os.path.exists(golden):
                continue
            with open(golden, encoding="utf-8") as f:
                summ = json.load(f)["summary"]
            with open(path, encoding="utf-8") as f:
                text = f.read()
            try:
                obj = json.loads(text, object_pairs_hook=_no_dup)
            except (ValueError, _Dup):
                obj = None
            name = os.path.basename(path)
            if name.startswith(("model--", "detect--")):
                continue  # these check the model field, which decides the profile in a batch
            if len(text) > 65536:
                continue  # the 1.4 MB data-URI fixtures would be half of the batch
            tmpl = (prof, name, text.replace("\r", " ").replace("\n", " ").strip(), obj,
                    obj is not None and not any(w in name for w in KEEP_PROMPT))
            (invalid if summ["errors"] + summ["warnings"] > 0 else valid).append(tmpl)
    return valid, invalid


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "corpus", "mixed"))
    ap.add_argument("--mb", type=float, default=100.0, help="size in 10^6 bytes (default 100)")
    ap.add_argument("--seed", type=int, default=20261121)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    valid, invalid = load_templates(root)
    os.makedirs(args.out, exist_ok=True)
    target = int(args.mb * 1e6)
    size = 0
    line = 0
    counts = {p: [0, 0] for p in PROFILES}
    with open(os.path.join(args.out, "batch.jsonl"), "w", encoding="utf-8", newline="\n") as out, \
            open(os.path.join(args.out, "truth.tsv"), "w", encoding="utf-8", newline="\n") as truth:
        while size < target:
            ok = rng.random() >= 1 / 3
            prof, name, text, obj, vary = rng.choice(valid if ok else invalid)
            if vary:
                obj = json.loads(json.dumps(obj))
                _reprompt(obj, rng)
                text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
            rec = text + "\n"
            out.write(rec)
            size += len(rec.encode("utf-8"))
            line += 1
            counts[prof][0 if ok else 1] += 1
            truth.write(f"{line}\t{int(ok)}\t{prof}\t{name}\n")
    manifest = {"bytes": size, "records": line, "seed": args.seed,
                "invalid": sum(c[1] for c in counts.values()),
                "templates": {"valid": len(valid), "invalid": len(invalid)},
                "per_profile": {p: {"valid": c[0], "invalid": c[1]} for p, c in counts.items()}}
    with open(os.path.join(args.out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
