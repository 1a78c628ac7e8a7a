#!/usr/bin/python3
"""Run `klint --format sarif` over fixtures and validate the log against the
SARIF 2.1.0 schema (../shared/conformance/sarif/sarif-schema-2.1.0.json, a
draft-04 schema) with Debian's python3-jsonschema, then check what GitHub
code scanning needs beyond the schema: every result has a file location with
a region, and the run states its columnKind.

Usage: sarif_schema.py KLINT FILE...   (run from the repository root)
Exit 77 (skipped) when the schema or the jsonschema module is absent.
"""
import json
import os
import subprocess
import sys

SCHEMA = os.path.join('..', 'shared', 'conformance', 'sarif', 'sarif-schema-2.1.0.json')


def main():
    klint, files = sys.argv[1], sys.argv[2:]
    schema_path = os.path.normpath(os.path.join(os.getcwd(), SCHEMA))
    if not os.path.isfile(schema_path):
        print(f'SKIP: SARIF schema not found at {schema_path}')
        return 77
    try:
        import jsonschema
    except ImportError:
        print('SKIP: python3-jsonschema is not installed (apt-get install python3-jsonschema)')
        return 77
    with open(schema_path, encoding='utf-8') as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(schema)

    proc = subprocess.run([klint, '--format', 'sarif', *files], capture_output=True)
    if proc.returncode not in (0, 1):
        print(f'klint exited {proc.returncode}: {proc.stderr.decode(errors="replace")}')
        return 1
    log = json.loads(proc.stdout.decode('utf-8'))
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    for e in errors:
        print(f'schema: {"/".join(map(str, e.path))}: {e.message}')

    problems = []
    run = log['runs'][0]
    if run.get('columnKind') != 'utf16CodeUnits':
        problems.append('run.columnKind is not utf16CodeUnits')
    rules = run['tool']['driver'].get('rules', [])
    if not rules:
        problems.append('tool.driver.rules is empty')
    for r in rules:
        for key in ('shortDescription', 'fullDescription', 'help'):
            if not r.get(key, {}).get('text'):
                problems.append(f'rule {r.get("id")}: no {key}.text')
    results = run.get('results', [])
    if not results:
        problems.append('no results: the fixtures were chosen to have findings')
    seen = set()
    for i, res in enumerate(results):
        loc = (res.get('locations') or [{}])[0].get('physicalLocation', {})
        uri = loc.get('artifactLocation', {}).get('uri')
        region = loc.get('region', {})
        if not uri or ':' in uri.split('/')[0] or '\\' in uri:
            problems.append(f'result {i}: bad or missing artifactLocation.uri {uri!r}')
        if region.get('startLine', 0) < 1 or region.get('startColumn', 0) < 1:
            problems.append(f'result {i}: region without startLine/startColumn')
        if not res.get('message', {}).get('text'):
            problems.append(f'result {i}: empty message')
        seen.add(uri)
    if len(seen) < 2:
        problems.append(f'expected results in several files, got {sorted(seen)}')
    for p in problems:
        print(p)
    if errors or problems:
        return 1
    print(f'ok: {len(results)} results, {len(rules)} rules, schema-valid')
    return 0


if __name__ == '__main__':
    sys.exit(main())
