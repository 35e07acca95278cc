# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import (absolute_import, division, print_function)

__metaclass__ = type

DOCUMENTATION = r'''
name: interrupt_after
type: aggregate
short_description: Count the steps a workflow takes, and kill the run right after the N-th
description:
  - For the partial_failure integration target only. A step is a task tagged O(tag) (for a role, with
    C(apply) on M(ansible.builtin.include_role)) that reports C(changed), or for a loop each item that does.
  - After every step the count and the step names are written to O(state_file) as JSON.
  - With O(after) set, right after that many steps C(ansible-playbook) is killed with SIGKILL, its
    workers and the modules they run first (each worker leads its own session), as when a job is
    cancelled or its host dies. Before that, O(state_file) records C(killed).
  - A loop's next item may already run in the worker when the previous item's result arrives, so an
    interruption between items comes at the latest in the middle of the next item. Linux only (C(/proc)).
requirements:
  - enabled in the configuration (C(callbacks_enabled))
options:
  after:
    description: Kill the run right after this many steps; C(0) only counts.
    type: int
    default: 0
    env:
      - name: INTERRUPT_AFTER
  state_file:
    description: Where the count, the steps and whether the run was killed are written.
    type: path
    required: true
    env:
      - name: INTERRUPT_STATE_FILE
  tag:
    description: Only tasks with this tag are counted.
    type: str
    default: interruptible
    env:
      - name: INTERRUPT_TAG
'''

import json
import os
import signal

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'interrupt_after'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._steps = []

    def v2_playbook_on_start(self, playbook):
        self._write(killed=False)

    def v2_runner_on_ok(self, result):
        # A loop's items were counted one by one. (A task without a loop may return results too.)
        if not (result._task.loop or result._task.loop_with):
            self._count(result)

    def v2_runner_item_on_ok(self, result):
        self._count(result)

    @staticmethod
    def _task_of(result):
        return getattr(result, 'task', None) or result._task

    @staticmethod
    def _result_of(result):
        return getattr(result, 'result', None) or result._result

    def _count(self, result):
        task, outcome = self._task_of(result), self._result_of(result)
        if not outcome.get('changed') or self.get_option('tag') not in task.tags:
            return
        step = task.get_name()
        if '_ansible_item_label' in outcome or 'item' in outcome:
            step = '%s (%s)' % (step, outcome.get('_ansible_item_label', outcome.get('item')))
        self._steps.append(step)
        if len(self._steps) == self.get_option('after'):
            self._write(killed=True)
            self._kill()
        self._write(killed=False)

    def _write(self, killed):
        path = self.get_option('state_file')
        with open(path + '.tmp', 'w') as state:
            json.dump({'changed': len(self._steps), 'steps': self._steps, 'killed': killed}, state)
            state.flush()
            os.fsync(state.fileno())
        os.rename(path + '.tmp', path)

    @staticmethod
    def _kill():
        me = os.getpid()
        for entry in os.listdir('/proc'):
            try:
                with open('/proc/%s/stat' % entry) as stat:
                    # pid (comm) state ppid ...; comm may hold spaces and parentheses.
                    parent = int(stat.read().rpartition(')')[2].split()[1])
            except (IOError, OSError, ValueError, IndexError):
                continue
            if parent == me:
                child = int(entry)
                try:
                    if os.getpgid(child) == child:
                        os.killpg(child, signal.SIGKILL)
                    else:
                        os.kill(child, signal.SIGKILL)
                except OSError:
                    pass
        os.kill(me, signal.SIGKILL)
