#!/usr/bin/python3
"""Check the CI examples of README.md, sections "GitHub Actions" and "GitLab CI":

- every ```yaml block parses (Debian's python3-yaml);
- the whole workflows and the job have the shape their CI needs: GitHub
  workflows with `on`, `permissions` and jobs with `runs-on` and `steps`, the
  SARIF one with `security-events: write` and an upload-sarif step that runs
  `if: always()` on the file klint writes; a GitLab job whose
  `artifacts:reports:codequality` names the file klint writes, with
  `artifacts:when: always`;
- every klint command line in those blocks (a `run:` step, a `script:` entry)
  uses only options that `klint --help` lists, with formats it lists;
- every such line runs as written (with KLINT on PATH, and the GitLab job's
  /opt/klint/build/klint read as klint) in a folder whose requests/ holds
  fixtures/examples/: it exits with status 0 or 1, and every report it
  writes parses (JSON for .sarif and .json, XML for .xml).

Usage: readme_ci.py KLINT   (run from the repository root)
Exit 77 (skipped) when python3-yaml is absent.
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

README = 'README.md'
SECTIONS = ('GitHub Actions', 'GitLab CI')
OPERATORS = {'|', '||', '&&', ';', '>', '>>', '<', '2>', '2>&1', '&'}

problems = []


def check(cond, what):
    if not cond:
        problems.append(what)
    return cond


def section(text, title):
    """The text of `## title` up to the next `## ` heading."""
    m = re.search(r'^## ' + re.escape(title) + r'\n(.*?)(?=^## |\Z)', text, re.M | re.S)
    return m.group(1) if m else None


def yaml_blocks(text):
    return re.findall(r'^```yaml\n(.*?)^```', text, re.M | re.S)


def shell_lines(node):
    """Every shell command string in a parsed workflow or job (run: and script: values)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == 'run' and isinstance(value, str):
                yield from value.splitlines()
            elif key in ('script', 'before_script', 'after_script'):
                for line in value if isinstance(value, list) else [value]:
                    yield from str(line).splitlines()
            else:
                yield from shell_lines(value)
    elif isinstance(node, list):
        for item in node:
            yield from shell_lines(item)


def klint_commands(line):
    """The argument lists of the klint commands in one shell line."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError:
        check(False, f'cannot split shell line: {line}')
        return
    start = True
    for i, w in enumerate(words):
        if start and (w == 'klint' or w.endswith('/klint')):
            args = []
            for a in words[i + 1:]:
                if a in OPERATORS or a.startswith(('>', '2>')):
                    break
                args.append(a)
            yield args
        start = w in OPERATORS


def help_options(klint):
    """The options --help lists, each with whether it takes a value, and the formats."""
    text = subprocess.run([klint, '--help'], capture_output=True, text=True, check=True).stdout
    options = {}
    for short, long, metavar in re.findall(r'^\s+(?:(-\w), )?(--[a-z][a-z-]*)( [A-Z])?', text, re.M):
        options[long] = bool(metavar)
        if short:
            options[short] = bool(metavar)
    m = re.search(r'^Formats\b.*?\n(.*?)(?:\n\n|\Z)', text, re.M | re.S)
    formats = set(re.findall(r'^  ([a-z]+) ', m.group(1), re.M)) if m else set()
    return options, formats


def check_command(args, options, formats, where):
    i = 0
    while i < len(args):
        a = args[i]
        if a == '--':
            break
        if a.startswith('-') and a != '-':
            name, eq, value = a.partition('=')
            if not check(name in options, f'{where}: klint {" ".join(args)}: {name} is not in --help'):
                i += 1
                continue
            takes_value = options[name]
            if takes_value and not eq:
                i += 1
                value = args[i] if i < len(args) else ''
            if name == '--format':
                check(value in formats, f'{where}: --format {value} is not a format --help lists')
            if name == '--output':
                fmt, _, path = value.partition('=')
                check(fmt in formats and path, f'{where}: --output {value}: not FORMAT=FILE')
        i += 1


def run_line(klint, line, where):
    """Run one shell line of an example in a scratch folder; check its status and reports."""
    tmp = tempfile.mkdtemp(prefix='klint-readme-ci-')
    try:
        shutil.copytree(os.path.join('fixtures', 'examples'), os.path.join(tmp, 'requests'))
        bin_dir = os.path.join(tmp, 'bin')
        os.mkdir(bin_dir)
        os.symlink(os.path.abspath(klint), os.path.join(bin_dir, 'klint'))
        env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get('PATH', ''))
        command = line.replace('/opt/klint/build/klint', 'klint')
        proc = subprocess.run(['bash', '-c', command], cwd=tmp, env=env, capture_output=True)
        if not check(proc.returncode in (0, 1),
                     f'{where}: `{line}` exited {proc.returncode}: {proc.stderr.decode()[:300]}'):
            return
        if '|| [ $? -eq 1 ]' in line:
            check(proc.returncode == 0, f'{where}: `{line}` did not pass on findings')
        reports = re.findall(r'(?:> |=)([\w.-]+\.(?:sarif|json|xml))\b', line)
        for report in reports:
            path = os.path.join(tmp, report)
            if not check(os.path.isfile(path), f'{where}: `{line}` wrote no {report}'):
                continue
            try:
                if report.endswith('.xml'):
                    ET.parse(path)
                else:
                    with open(path, encoding='utf-8') as f:
                        check(json.load(f), f'{where}: {report} is empty')
            except (ValueError, ET.ParseError) as e:
                check(False, f'{where}: {report} does not parse: {e}')
    finally:
        shutil.rmtree(tmp)


def main():
    klint = sys.argv[1]
    try:
        import yaml
    except ImportError:
        print('SKIP: python3-yaml is not installed (apt-get install python3-yaml)')
        return 77
    with open(README, encoding='utf-8') as f:
        text = f.read()
    options, formats = help_options(klint)
    check({'--format', '--help'} <= set(options), f'could not read the options of --help: {options}')
    check({'sarif', 'github', 'gitlab'} <= formats, f'could not read the formats of --help: {formats}')

    n_commands = 0
    workflows = []
    jobs = []
    for title in SECTIONS:
        body = section(text, title)
        if not check(body is not None, f'README.md has no "## {title}" section'):
            continue
        blocks = yaml_blocks(body)
        check(len(blocks) >= (2 if title == 'GitHub Actions' else 1),
              f'"{title}": too few yaml blocks')
        for k, block in enumerate(blocks):
            where = f'"{title}" yaml block {k + 1}'
            try:
                doc = yaml.safe_load(block)
            except yaml.YAMLError as e:
                check(False, f'{where} does not parse: {e}')
                continue
            if isinstance(doc, dict) and 'jobs' in doc:
                workflows.append((where, doc))
            elif isinstance(doc, dict) and title == 'GitLab CI' and 'klint' in doc:
                jobs.append((where, doc['klint']))
            for line in shell_lines(doc):
                found = False
                for args in klint_commands(line):
                    found = True
                    n_commands += 1
                    check_command(args, options, formats, where)
                if found:
                    run_line(klint, line, where)

    check(len(workflows) == 2, f'expected two whole GitHub workflows, found {len(workflows)}')
    sarif = False
    for where, wf in workflows:
        # YAML 1.1 reads the key `on` as true.
        check('on' in wf or True in wf, f'{where}: no `on`')
        check('permissions' in wf, f'{where}: no permissions')
        for name, job in wf['jobs'].items():
            check('runs-on' in job and job.get('steps'), f'{where}: job {name} has no runs-on/steps')
            for step in job.get('steps', []):
                if 'github/codeql-action/upload-sarif' in str(step.get('uses', '')):
                    sarif = True
                    check(wf['permissions'].get('security-events') == 'write',
                          f'{where}: upload-sarif without security-events: write')
                    check('always()' in str(step.get('if', '')), f'{where}: upload without always()')
                    report = step.get('with', {}).get('sarif_file', '')
                    check(any(f'> {report}' in line or f'sarif={report}' in line
                              for line in shell_lines(wf)),
                          f'{where}: no klint command writes {report!r}')
    check(sarif, 'no GitHub workflow uploads SARIF')

    check(len(jobs) == 1, f'expected one whole GitLab job, found {len(jobs)}')
    for where, job in jobs:
        artifacts = job.get('artifacts', {})
        report = artifacts.get('reports', {}).get('codequality', '')
        check(artifacts.get('when') == 'always', f'{where}: artifacts without when: always')
        check(report and any(f'--format gitlab' in line and f'> {report}' in line
                             for line in shell_lines(job)),
              f'{where}: no klint --format gitlab command writes {report!r}')

    check(n_commands >= 5, f'only {n_commands} klint commands found')
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f'ok: {n_commands} klint commands in the CI examples use options --help lists')
    return 0


if __name__ == '__main__':
    sys.exit(main())
