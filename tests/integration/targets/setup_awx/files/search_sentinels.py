# SPDX-License-Identifier: GPL-3.0-or-later
"""Count secrets in everything a run printed, registered or wrote; fail on any.

usage: python search_sentinels.py --sentinel S [--sentinel S ...] [--made DIR]
                                  [--input RELPATH ...] LABEL=DIR [LABEL=DIR ...]

Every file under each DIR is searched (symbolic links are not followed), except the files named by
--input: what the test itself wrote for ansible-runner to read (env/envvars, env/extravars, the
inventory). An ansible-runner artifact `command` is searched without its `env` member, which is
ansible-runner's copy of the job's whole environment, secrets injected as environment variables
included, by design (the file is 0600, like env/envvars). Each line of each file in the --made folder
is one more secret, made during the runs (such as tokens a code exchange issued), searched for as well.
"""

import argparse
import json
import os
import sys


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
        secrets['%d secrets made during the runs' % len(made)] = made

    counts = dict.fromkeys(secrets, 0)
    hits = []
    print('%-18s %6s %10s' % ('searched', 'files', 'bytes'))
    for source in args.sources:
        label, top = source.split('=', 1)
        files = searched = left_out = 0
        for path in files_under(top, set(args.input)):
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
                        hits.append('%s %s: ...%s...' % (label, os.path.relpath(path, top),
                                                         data[max(0, at - 200):at + 100].decode(errors='replace')))
        if not files:
            sys.exit('%s: nothing to search in %s' % (label, top))
        note = ' (and %d bytes of job environment in artifacts/*/command, not searched)' % left_out if left_out else ''
        print('%-18s %6d %10d%s' % (label, files, searched, note))
    for name, count in counts.items():
        print('%-32s %d occurrence(s)' % (name, count))
    total = sum(counts.values())
    print('secrets found: %d' % total)
    if total:
        print('\n'.join(hits[:5]))
        sys.exit(1)


if __name__ == '__main__':
    main()
