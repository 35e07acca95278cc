# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import multiprocessing
import os
import stat
import time

import pytest

from ansible_collections.skillops.alexa.plugins.plugin_utils._token_cache import SUBDIRECTORY, TokenCache, cache_key

KEY = cache_key('https://api.amazon.com', 'amzn1.application-oa2-client.x', 'client-secret', 'Atzr|refresh')


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Lwa:
    """Mints numbered tokens and counts the requests."""

    def __init__(self, expires_in=3600):
        self.minted = 0
        self.expires_in = expires_in

    def __call__(self):
        self.minted += 1
        return {'access_token': 'Atza|%d' % self.minted, 'expires_in': self.expires_in, 'token_type': 'bearer'}


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def cache(tmp_path, clock):
    return TokenCache(str(tmp_path), clock=clock)


def test_a_token_is_minted_once_and_kept(cache):
    lwa = Lwa()
    assert [cache.get(KEY, lwa, renew_before=600) for dummy in range(5)] == ['Atza|1'] * 5
    assert lwa.minted == 1


def test_a_token_is_renewed_when_less_than_renew_before_remains(cache, clock):
    lwa = Lwa(expires_in=3600)
    assert cache.get(KEY, lwa, renew_before=600) == 'Atza|1'
    clock.now += 2999  # 601 s left
    assert cache.get(KEY, lwa, renew_before=600) == 'Atza|1'
    clock.now += 1  # 600 s left
    assert cache.get(KEY, lwa, renew_before=600) == 'Atza|2'
    assert cache.get(KEY, lwa, renew_before=600) == 'Atza|2'
    assert lwa.minted == 2


def test_other_credentials_have_their_own_token(cache):
    lwa = Lwa()
    other = cache_key('https://api.amazon.com', 'amzn1.application-oa2-client.x', 'client-secret', 'Atzr|other')
    assert cache.get(KEY, lwa, 600) == 'Atza|1'
    assert cache.get(other, lwa, 600) == 'Atza|2'
    assert cache.get(KEY, lwa, 600) == 'Atza|1'


def test_the_kept_file_is_private_and_holds_no_credential(cache, tmp_path):
    cache.get(KEY, Lwa(), 600)
    directory = tmp_path / SUBDIRECTORY
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    kept = directory / KEY
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    text = ''.join(path.read_text() for path in directory.iterdir())
    assert 'Atza|1' in text
    for credential in ('client-secret', 'Atzr|refresh', 'amzn1.application-oa2-client.x'):
        assert credential not in text


def test_an_unreadable_kept_file_is_replaced(cache, tmp_path):
    lwa = Lwa()
    cache.get(KEY, lwa, 600)
    (tmp_path / SUBDIRECTORY / KEY).write_text('{"access_tok')
    assert cache.get(KEY, lwa, 600) == 'Atza|2'
    assert cache.get(KEY, lwa, 600) == 'Atza|2'


def test_a_failed_mint_keeps_nothing(cache):
    def refused():
        raise RuntimeError('invalid_grant')

    with pytest.raises(RuntimeError):
        cache.get(KEY, refused, 600)
    lwa = Lwa()
    assert cache.get(KEY, lwa, 600) == 'Atza|1'


def _mint_in_a_process(directory, log, start, tokens):
    def slow_mint():
        with open(log, 'a') as minted:
            minted.write('x')
        time.sleep(0.2)
        return {'access_token': 'Atza|%d' % os.getpid(), 'expires_in': 3600}

    while time.time() < start:
        time.sleep(0.001)
    tokens.put(TokenCache(directory).get(KEY, slow_mint, 600))


def test_processes_asking_at_once_mint_one_token_and_all_get_it(tmp_path):
    # As the forks of one run do when a task runs on several hosts at the same time.
    log = str(tmp_path / 'minted')
    start = time.time() + 0.3
    context = multiprocessing.get_context('fork')
    tokens = context.Queue()
    processes = [context.Process(target=_mint_in_a_process, args=(str(tmp_path), log, start, tokens))
                 for dummy in range(6)]
    for process in processes:
        process.start()
    got = [tokens.get(timeout=10) for dummy in processes]
    for process in processes:
        process.join(10)
    assert [process.exitcode for process in processes] == [0] * 6
    with open(log) as minted:
        assert minted.read() == 'x'
    assert len(set(got)) == 1
