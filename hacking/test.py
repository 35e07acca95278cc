# SPDX-License-Identifier: GPL-3.0-or-later
"""`make test`: every suite of every lane of noxfile.py's LANES, side by side, with honest counts.

Usage: python hacking/test.py [LANE | LANE:SUITE ...]   (default: every suite of every lane)

Each suite is one command of hacking/run-tests.sh on one lane. Jobs run SKILLOPS_TEST_JOBS at a time
(default 3: the suites spend much of their time waiting on servers, sleeps and subprocesses), the
longest first, each as soon as what it needs is prepared: the lane's nox session (its virtualenv
and collections) for the ansible-test suites, the installed collection and the npm packages for
the others. main's integration targets run in two shards, each with its own sandbox (and, as every
nox run, its own copy of the collection): the targets aliased `shard_b`, and all the others. Every suite prints `N passed, M failed` where N and M count
tests: pytest items, ansible-test integration targets, sanity tests, checks of the docs suite, and
ansible-lint as one. A suite that exits non-zero with no failure counted counts one. The last line
is the total. Each job's output is in .cache/test-logs/; a failing job's tail is shown at the end.
"""

import os
import re
import subprocess
import sys
import threading
import time

import nox_lanes  # hacking/, beside this file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOGS = os.path.join(ROOT, '.cache', 'test-logs')
BUILD = os.environ.get('SKILLOPS_BUILD', '')
MAIN_SUITES = ('sanity', 'lint', 'docs', 'units', 'sandbox', 'package', 'hostile', 'awx', 'eda', 'integration')
LANE_SUITES = ('sanity', 'units', 'integration')
# Longest first, so that the long ones do not start last (seconds each took in make test, roughly):
# main's integration shards, then the other lanes' integration (their targets aliased `lanes`).
WEIGHT = {'integration': 750, 'lane integration': 300, 'eda': 280, 'awx': 150, 'sanity': 100, 'hostile': 70,
          'package': 60, 'lint': 55, 'sandbox': 55, 'units': 40, 'docs': 20}


def lanes():
    return list(nox_lanes.lanes())


def weight(job):
    full = job.lane in ('main', 'latest')
    return WEIGHT.get(job.suite if full or job.suite != 'integration' else 'lane integration', 0)


def pytest_counts(output):
    """passed, failed of every pytest summary line (ansible-test units prints one per plugin type)."""
    passed = failed = 0
    for line in output.splitlines():
        line = line.strip('= ')
        if re.search(r' in [\d.]+s( \([\d:]+\))?$', line) and re.search(r'\d+ (passed|failed|error)', line):
            passed += sum(int(n) for n in re.findall(r'(\d+) passed', line))
            failed += sum(int(n) for n in re.findall(r'(\d+) (?:failed|errors?)\b', line))
    return passed, failed


def ansible_test_counts(kind):
    """passed, failed of ansible-test sanity or integration: the tests it ran, the ones it says failed."""
    started = {'sanity': r'^Running sanity test "', 'integration': r'^Running \S+ integration test (role|script)'}[kind]

    def count(output):
        ran = len(re.findall(started, output, re.MULTILINE))
        failed = re.search(r'The (\d+) %s test\(s\) listed below' % kind, output)
        failed = int(failed.group(1)) if failed else 0
        return ran - failed, failed
    return count


def docs_counts(output):
    passed, failed = pytest_counts(output)
    return passed + len(re.findall(r'^ok ', output, re.MULTILINE)), failed


COUNTS = {
    'sanity': ansible_test_counts('sanity'), 'integration': ansible_test_counts('integration'),
    'lint': lambda output: (1, 0), 'docs': docs_counts,
}


class Job:
    show = False  # copy the output to the terminal as it comes (when only one suite runs)

    def __init__(self, name, command, lane, suite=None, env=None, after=()):
        self.name, self.command, self.lane, self.suite = name, command, lane, suite
        self.env = dict(os.environ, LANE=lane, **(env or {}))
        self.after = list(after)
        self.log = os.path.join(LOGS, re.sub(r'[^a-z0-9]+', '-', name).strip('-') + '.log')
        self.status = self.seconds = self.cpu = None
        self.passed = self.failed = self.skipped = 0

    def run(self):
        started = time.monotonic()
        with open(self.log, 'w') as log:
            process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            for line in process.stdout:
                log.write(line.decode(errors='replace'))
                if self.show:
                    sys.stdout.write(line.decode(errors='replace'))
                    sys.stdout.flush()
            # wait4: the CPU time of the job's whole process tree (descendants reaped by their parents)
            _pid, status, usage = os.wait4(process.pid, 0)
            self.status = process.returncode = os.waitstatus_to_exitcode(status)
        self.seconds = time.monotonic() - started
        self.cpu = usage.ru_utime + usage.ru_stime
        if self.suite:
            with open(self.log, errors='replace') as log:
                output = log.read()
            self.passed, self.failed = COUNTS.get(self.suite, pytest_counts)(output)
            # A test skipped is said, never counted as passed: the suite could not prove it here.
            self.skipped = sum(int(n) for n in re.findall(r'(\d+) skipped', ''.join(
                line for line in output.splitlines(True) if re.search(r' in [\d.]+s( \([\d:]+\))?\s*=*$', line))))
            if self.status and not self.failed:
                self.failed = 1  # it failed in a way no count saw: say so, never 0


def skipped(job):
    return ', %d skipped' % job.skipped if job.skipped else ''


def plan(selectors):
    """The jobs the selectors ask for, with the preparation of each lane they need first."""
    wanted = []
    for selector in selectors or lanes():
        lane, suite = (selector.split(':', 1) + [''])[:2]
        if lane not in lanes() + ['latest']:
            sys.exit('unknown lane %r (lanes: %s, latest)' % (lane, ' '.join(lanes())))
        suites = MAIN_SUITES if lane in ('main', 'latest') else LANE_SUITES
        if suite and suite not in suites:
            sys.exit('unknown suite %r on lane %s (suites: %s)' % (suite, lane, ' '.join(suites)))
        wanted += [(lane, name) for name in ([suite] if suite else suites)]

    jobs = []
    for lane in dict.fromkeys(lane for lane, suite in wanted):
        full = lane in ('main', 'latest')  # every suite, every integration target
        # The lane's nox session: its virtualenv brought to the lock, its collections cut and extracted.
        prepare_lane = 'prepare %s' % lane
        jobs.append(Job(prepare_lane, ['hacking/run-tests.sh', 'prepare'], lane))
        # The other suites': the collection installed, and (once, before they run side by side) npm's.
        prepare_tools = 'prepare %s tools' % lane
        if full and any(suite not in ('sanity', 'units') for candidate, suite in wanted if candidate == lane):
            jobs.append(Job(prepare_tools, ['bash', '-c', 'hacking/sync.sh && hacking/npm-deps.sh'], lane))
        for suite in (name for candidate, name in wanted if candidate == lane):
            run = ['hacking/run-tests.sh', suite]
            after = {'sanity': [prepare_lane], 'units': [prepare_lane]}.get(suite, [prepare_tools])
            if suite == 'integration':
                after = [prepare_lane] + ([prepare_tools] if full else [])
            shards = full and suite == 'integration' and not os.environ.get('INTEGRATION_ARGS')
            if suite == 'integration' and not full:
                jobs.append(Job('%s integration' % lane, run, lane, suite, {'INTEGRATION_ARGS': 'lanes/'}, after))
            elif shards:
                jobs.append(Job('%s integration shard a' % lane, run, lane, suite,
                                {'INTEGRATION_ARGS': '--exclude shard_b/'}, after))
                jobs.append(Job('%s integration shard b' % lane, run, lane, suite, {'INTEGRATION_ARGS': 'shard_b/'}, after))
            else:
                jobs.append(Job('%s %s' % (lane, suite), run, lane, suite, after=after))
    return jobs


def main():
    if not BUILD:
        sys.exit('run this through make (it sets SKILLOPS_BUILD)')
    jobs = plan(sys.argv[1:])
    suites = [job for job in jobs if job.suite]
    if len(suites) == 1:
        suites[0].show = True
    os.makedirs(LOGS, exist_ok=True)
    for job in jobs:  # no log of an earlier run may pass for this run's
        if os.path.exists(job.log):
            os.remove(job.log)
    slots = int(os.environ.get('SKILLOPS_TEST_JOBS', '3'))
    # Preparations first (a lane's bootstrap is mostly downloads), then the longest suites.
    waiting = sorted(jobs, key=lambda job: (job.suite is not None, -weight(job)))
    running, done = {}, {}
    finished = threading.Condition()
    started = time.monotonic()

    def run(job):
        job.run()
        with finished:
            del running[job.name]
            done[job.name] = job
            if job.suite:
                print('=== %-32s %5d passed, %d failed%s  %5.0fs %5.0f CPU-s'
                      % (job.name, job.passed, job.failed, skipped(job), job.seconds, job.cpu))
            else:  # a preparation: the lane's says what it runs on
                with open(job.log, errors='replace') as log:
                    lines = log.readlines() or ['']
                last = next((line for line in reversed(lines) if 'ansible-core ' in line), lines[-1]).strip()
                last = last.removeprefix('nox > ')
                print('=== %-32s %s  %5.0fs %5.0f CPU-s' % (job.name, last if not job.status else 'FAILED', job.seconds, job.cpu))
            sys.stdout.flush()
            finished.notify()

    with finished:
        while waiting or running:
            free = slots - len(running)
            for job in list(waiting):
                if free <= 0:
                    break
                broken = [name for name in job.after if name in done and done[name].status]
                if broken:  # its lane could not be prepared: it cannot run
                    waiting.remove(job)
                    job.status, job.seconds, job.cpu, job.failed = 1, 0.0, 0.0, 1
                    done[job.name] = job
                    print('=== %s not run: %s failed' % (job.name, broken[0]), flush=True)
                    continue
                # A job whose lane is still being prepared keeps its slot: a shorter suite of a lane
                # prepared sooner must not start before it and leave it to start last.
                free -= 1
                if all(name in done for name in job.after):
                    waiting.remove(job)
                    running[job.name] = job
                    print('=== %s started' % job.name, flush=True)
                    threading.Thread(target=run, args=(job,), daemon=True).start()
            finished.wait()

    failures = [job for job in jobs if job.status]
    for job in failures:
        if not os.path.exists(job.log):
            continue  # not run: its lane's preparation failed, shown above
        print('\n=== %s FAILED (exit %s): last lines of %s' % (job.name, job.status, os.path.relpath(job.log, ROOT)))
        with open(job.log, errors='replace') as log:
            print(''.join(log.readlines()[-60:]), end='')
    print('\n=== summary (%d jobs, %d at a time, %.0fs, %.0f CPU-s)'
          % (len(jobs), slots, time.monotonic() - started, sum(job.cpu or 0 for job in jobs)))
    for job in jobs:
        if job.suite:
            print('%-32s %5d passed, %d failed%s  %5.0fs %5.0f CPU-s'
                  % (job.name, job.passed, job.failed, skipped(job), job.seconds, job.cpu or 0))
    print('%d passed, %d failed' % (sum(job.passed for job in jobs), sum(job.failed for job in jobs)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
