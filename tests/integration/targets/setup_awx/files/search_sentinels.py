# SPDX-License-Identifier: GPL-3.0-or-later
"""Count secrets in everything a run printed, registered or wrote; fail on any.

usage: python search_sentinels.py --sentinel S [--sentinel S ...] [--made DIR]
                                  [--input [LABEL:]RELPATH ...] LABEL=DIR [LABEL=DIR ...]

Every file under each DIR is searched (symbolic links are not followed), except the files named by
--input: what the test itself wrote for ansible-runner to read (env/envvars, env/extravars, the
inventory), under every DIR, or under LABEL's only. An ansible-runner artifact `command` is searched
without its `env` member, which is ansible-runner's copy of the job's whole environment, secrets
injected as environment variables included, by design (the file is 0600, like env/envvars). Each line
of each file in the --made folder is one more secret, made during the runs (such as tokens a code
exchange issued), searched for as well.

Before the search, the search runs on a folder it plants every secret in, each once in a file and
once in an artifact `command` beside its `env` member, and fails unless it finds each exactly once:
a search that cannot find a secret proves nothing.
"""

import argparse
import json
import os
import sys
import tempfile


def searchable_text(path):
    """The bytes of the file to search, and what was left out of it (or None)."""
    with open(path, 'rb') as handle:
        data = handle.read()
    if os.path.basename(path) == 'command' and os.path.basename(os.path.dirname(os.path.dirname(path))) == 'artifacts':
        command = json.loads(data)
        left_out = len(json.dumps(command.pop('env', {}), ensure_ascii=False).encode())
        return json.dumps(command, ensure_ascii=False).encode(), left_out
    return data, None


def files_under(top, inputs):
    for folder, dirs, names in os.walk(top):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            if os.path.relpath(path, top) not in inputs and not os.path.islink(path):
                yield path


def search(top, inputs, secrets):
    """Search the files under top but inputs for secrets ({name: [value, ...]}): the number of
    files, the bytes searched, the bytes left out, the occurrences by name and where they are."""
    files = searched = left_out = 0
    counts = dict.fromkeys(secrets, 0)
    hits = []
    for path in files_under(top, inputs):
        data, skipped = searchable_text(path)
        files += 1
        searched += len(data)
        left_out += skipped or 0
        for name, values in secrets.items():
            for value in values:
                found = data.count(value.encode())
                counts[name] += found
                if found:
                    at = data.index(value.encode())
                    hits.append('%s: ...%s...' % (os.path.relpath(path, top),
                                                  data[max(0, at - 200):at + 100].decode(errors='replace')))
    return files, searched, left_out, counts, hits


def self_check(secrets):
    """Plant every secret where the search must find it, and once where it must not."""
    values = [value for name in secrets for value in secrets[name]]
    with tempfile.TemporaryDirectory() as top:
        os.makedirs(os.path.join(top, 'artifacts', 'job'))
        os.makedirs(os.path.join(top, 'env'))
        with open(os.path.join(top, 'stdout'), 'w') as handle:
            handle.write(''.join('planted: %s\n' % value for value in values))
        with open(os.path.join(top, 'artifacts', 'job', 'command'), 'w') as handle:
            json.dump({'command': ['ansible-playbook', '-e', ' '.join(values)],
                       'env': {'PLANTED_%d' % number: value for number, value in enumerate(values)}}, handle)
        with open(os.path.join(top, 'env', 'envvars'), 'w') as handle:
            handle.write(''.join('PLANTED_%d: %s\n' % (number, value) for number, value in enumerate(values)))
        files, searched, left_out, counts, hits = search(top, {'env/envvars'}, secrets)
    expected = dict((name, 2 * len(secrets[name])) for name in secrets)
    if files != 2 or not left_out or counts != expected:
        sys.exit('self-check: the search found %s in %d planted files, not %s in 2: it cannot be trusted'
                 % (counts, files, expected))
    return sum(counts.values())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--sentinel', action='append', required=True)
    parser.add_argument('--made')
    parser.add_argument('--input', action='append', default=[])
    parser.add_argument('sources', nargs='+', metavar='LABEL=DIR')
    args = parser.parse_args()

    made = []
    for name in sorted(os.listdir(args.made)) if args.made else []:
        with open(os.path.join(args.made, name)) as handle:
            made.extend(line.strip() for line in handle if line.strip())
    if args.made and not made:
        sys.exit('%s is empty: the runs made no secrets to look for' % args.made)
    secrets = {sentinel: [sentinel] for sentinel in args.sentinel}
    if made:
        secrets['%d secrets made during the runs' % len(made)] = sorted(set(made))

    planted = self_check(secrets)
    print('self-check: %d planted occurrence(s) of %d secret(s) found, none in the inputs or the job environment'
          % (planted, sum(len(values) for values in secrets.values())))

    counts = dict.fromkeys(secrets, 0)
    hits = []
    print('%-20s %6s %10s' % ('searched', 'files', 'bytes'))
    for source in args.sources:
        label, top = source.split('=', 1)
        inputs = set(relpath.split(':', 1)[-1] for relpath in args.input
                     if ':' not in relpath or relpath.split(':', 1)[0] == label)
        files, searched, left_out, found, where = search(top, inputs, secrets)
        if not files:
            sys.exit('%s: nothing to search in %s' % (label, top))
        for name in found:
            counts[name] += found[name]
        hits.extend('%s %s' % (label, hit) for hit in where)
        note = ' (and %d bytes of job environment in artifacts/*/command, not searched)' % left_out if left_out else ''
        print('%-20s %6d %10d%s' % (label, files, searched, note))
    for name, count in counts.items():
        print('%-32s %d occurrence(s)' % (name, count))
    total = sum(counts.values())
    print('secrets found: %d' % total)
    if total:
        print('\n'.join(hits[:5]))
        sys.exit(1)


if __name__ == '__main__':
    main()
