#!/usr/bin/python3
"""Check the gitlab and junit formats of a real `klint` run against what their
consumers need, beyond the golden files of tests/unit/test_print_formats.c:

- gitlab: a JSON array without a byte order mark whose every entry has the
  fields GitLab requires (description, check_name, fingerprint, severity in
  info|minor|major|critical|blocker, location.path relative, 1-based
  location.lines.begin and positions); the fingerprints are unique, equal to
  the documented MD5 (recomputed here with hashlib from the `json` format's
  findings), the same in a second run, and the same after a line is inserted
  at the top of every file (while every line number moves by one);
- junit: well-formed XML (parsed with xml.etree), one testsuite and one
  testcase per file, a <failure> per finding with its severity as type, a
  passing testcase for a clean file, totals that add up; the hand-written
  golden tests/golden/print/formats.ci.junit.xml parses too.

Inputs (written to a temporary folder and linted with relative paths): a
pretty-printed request with non-ASCII text and an unknown field whose name
needs escaping everywhere (& < > " ' and a control character), a JSON Lines
batch with the same finding in two records and a syntax error in a third, a
clean request and a file with a syntax error.

Usage: ci_formats.py KLINT   (run from the repository root)
"""
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

CLEAN = os.path.join('fixtures', 'examples', 'givon-kling-3.0.json')
JUNIT_GOLDEN = os.path.join('tests', 'golden', 'print', 'formats.ci.junit.xml')
SEVERITIES = {'info', 'minor', 'major', 'critical', 'blocker'}

problems = []


def check(cond, what):
    if not cond:
        problems.append(what)
    return cond


def write_inputs(folder, shift):
    """The four inputs; with `shift`, each gets one unrelated line at the top."""
    with open(CLEAN, encoding='utf-8') as f:
        clean = json.load(f)
    odd = copy.deepcopy(clean)
    odd['input']['prompt'] = 'caf\u00e9 \u2615 \U0001F600 at dusk'
    odd['input']['x<&>"\'\u0001\u00e9'] = 1
    typo = copy.deepcopy(clean)
    typo['input']['colour'] = 'red'
    top = '\n' if shift else ''
    files = {
        'a.json': top + json.dumps(odd, indent=2, ensure_ascii=False) + '\n',
        'batch.jsonl': (json.dumps(clean) + '\n' if shift else '')
        + json.dumps(typo) + '\n' + json.dumps(typo) + '\n' + '{"type": "video",}\n',
        'clean.json': top + json.dumps(clean, indent=2) + '\n',
        os.path.join('sub', 'broken.json'): top + '{"type": "video"\n "model": "kling-3.0"}\n',
    }
    os.makedirs(os.path.join(folder, 'sub'), exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(folder, name), 'w', encoding='utf-8') as f:
            f.write(text)
    return sorted(files)


def run(klint, folder, fmt, names):
    proc = subprocess.run([klint, '--format', fmt, *names], cwd=folder, capture_output=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f'klint --format {fmt} exited {proc.returncode}: '
                         f'{proc.stderr.decode(errors="replace")}')
    return proc.stdout


def documented_fingerprints(findings):
    """MD5 of PATH NUL RULE NUL JSONPATH NUL N, N counting (path, rule, json path) in a file."""
    seen = {}
    out = []
    for d in findings:
        path = d['file']
        while path.startswith('./') and len(path) > 2:
            path = path[2:]
        key = (path, d['rule'], d['path'])
        seen[key] = seen.get(key, 0) + 1
        raw = b'\0'.join(s.encode('utf-8') for s in key) + b'\0' + str(seen[key]).encode()
        out.append(hashlib.md5(raw).hexdigest())
    return out


def check_gitlab(raw, findings, n_files):
    check(not raw.startswith(b'\xef\xbb\xbf'), 'gitlab: the report starts with a BOM')
    report = json.loads(raw.decode('utf-8'))
    if not check(isinstance(report, list), 'gitlab: the report is not an array'):
        return []
    check(len(report) == len(findings),
          f'gitlab: {len(report)} entries for {len(findings)} findings')
    for i, e in enumerate(report):
        where = f'gitlab entry {i}'
        for key in ('description', 'check_name', 'fingerprint', 'severity'):
            check(isinstance(e.get(key), str) and e[key], f'{where}: no {key}')
        check(e.get('severity') in SEVERITIES, f'{where}: severity {e.get("severity")!r}')
        check(re.fullmatch(r'[0-9a-f]{32}', e.get('fingerprint', '')) is not None,
              f'{where}: fingerprint is not 32 hex digits')
        check(e.get('description', '').startswith(f'[{e.get("check_name")}] '),
              f'{where}: the description does not start with the rule id')
        loc = e.get('location', {})
        path = loc.get('path', '')
        check(path and not path.startswith(('/', './')), f'{where}: path {path!r} not relative')
        begin = loc.get('lines', {}).get('begin', 0)
        pos = loc.get('positions', {})
        check(begin >= 1, f'{where}: lines.begin {begin} is not 1-based')
        check(pos.get('begin', {}).get('line') == begin, f'{where}: positions.begin.line')
        check(pos.get('begin', {}).get('column', 0) >= 1, f'{where}: positions.begin.column')
        check(pos.get('end', {}).get('line', 0) >= begin, f'{where}: positions.end.line')
    prints = [e.get('fingerprint') for e in report]
    check(len(set(prints)) == len(prints), 'gitlab: fingerprints are not unique')
    check(prints == documented_fingerprints(findings),
          'gitlab: fingerprints differ from MD5(path NUL rule NUL json path NUL n)')
    check(len({e['location']['path'] for e in report}) == n_files,
          'gitlab: expected findings in every file but the clean one')
    return report


def check_junit(raw, findings, names):
    root = ET.fromstring(raw)
    check(root.tag == 'testsuites', f'junit: root is <{root.tag}>')
    suites = root.findall('testsuite')
    cases = root.findall('testsuite/testcase')
    failed = [c for c in cases if c.find('failure') is not None]
    failures = root.findall('testsuite/testcase/failure')
    check(root.get('name') == 'klint', 'junit: testsuites name')
    check(root.get('tests') == str(len(names)) == str(len(suites)) == str(len(cases)),
          f'junit: tests={root.get("tests")} for {len(names)} files, {len(suites)} suites')
    check(root.get('failures') == str(len(failed)), 'junit: testsuites failures != failed cases')
    check(root.get('errors') == '0', 'junit: errors is not 0')
    check(len(failures) == len(findings), f'junit: {len(failures)} failures, {len(findings)} findings')
    check(sorted(s.get('name') for s in suites) == sorted(names), 'junit: suite names')
    for s in suites:
        tc = s.findall('testcase')
        n_fail = len(s.findall('testcase/failure'))
        check(len(tc) == 1 and s.get('tests') == '1', f'junit: suite {s.get("name")}: tests')
        check(s.get('failures') == ('1' if n_fail else '0'), f'junit: suite {s.get("name")}')
        check(tc and tc[0].get('file') == s.get('name'), f'junit: suite {s.get("name")}: file')
    sev = {'error', 'warning', 'info'}
    for f, d in zip(failures, findings):
        check(f.get('type') == d['severity'] and f.get('type') in sev, 'junit: failure type')
        check(f.get('message') == d['message'].replace('\x01', '\ufffd'), 'junit: message')
        want = (f'line {d["line"]}, col {d["column"]}: ' + d['message'].replace('\x01', '\ufffd')
                + f' [{d["rule"]}] at {d["path"]}')
        check(f.text == want, f'junit: failure text {f.text!r}, want {want!r}')
    clean = [s for s in suites if s.get('name') == 'clean.json']
    check(len(clean) == 1 and clean[0].get('failures') == '0'
          and len(list(clean[0].find('testcase'))) == 0, 'junit: the clean file is not passing')


def main():
    klint = os.path.abspath(sys.argv[1])
    ET.parse(JUNIT_GOLDEN)  # the hand-written golden is well-formed XML
    help_text = subprocess.run([klint, '--help'], capture_output=True, text=True).stdout
    check(re.search(r'^  gitlab ', help_text, re.M) and re.search(r'^  junit ', help_text, re.M),
          '--help does not list gitlab and junit')

    tmp = tempfile.mkdtemp(prefix='klint-ci-formats-')
    try:
        runs = {}
        for shift in (False, True):
            folder = os.path.join(tmp, 'shifted' if shift else 'plain')
            names = write_inputs(folder, shift)
            findings = json.loads(run(klint, folder, 'json', names))['diagnostics']
            check(any(d['rule'] == 'json-syntax' for d in findings), 'no syntax error found')
            check(any('\u00e9' in d['message'] for d in findings), 'no non-ASCII message')
            check(any('<&>' in d['message'] for d in findings), 'no message to escape')
            jsonl = [d for d in findings if d['file'] == 'batch.jsonl']
            check(len(jsonl) >= 3, 'too few findings in batch.jsonl')
            gitlab = run(klint, folder, 'gitlab', names)
            check(gitlab == run(klint, folder, 'gitlab', names), 'gitlab: two runs differ')
            report = check_gitlab(gitlab, findings, len(names) - 1)
            check_junit(run(klint, folder, 'junit', names), findings, names)
            runs[shift] = report
        plain, shifted = runs[False], runs[True]
        check([e['fingerprint'] for e in plain] == [e['fingerprint'] for e in shifted],
              'gitlab: fingerprints changed when a line was inserted at the top')
        check(len(plain) == len(shifted) and all(
            b['location']['lines']['begin'] == a['location']['lines']['begin'] + 1
            for a, b in zip(plain, shifted)), 'gitlab: lines did not move by one')
    finally:
        shutil.rmtree(tmp)
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f'ok: gitlab and junit checked on {len(plain)} findings')
    return 0


if __name__ == '__main__':
    sys.exit(main())
