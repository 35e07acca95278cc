# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""The Skill Management API client: bearer auth with one refresh on 401, pagination, creates.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""

from collections import namedtuple
from urllib.parse import urlsplit

from ansible_collections.skillops.alexa.plugins.module_utils._errors import ApiError, NotFound
from ansible_collections.skillops.alexa.plugins.module_utils._http import (
    HttpFailure, error_body, foreign_error, json_body, unusable)
from ansible_collections.skillops.alexa.plugins.module_utils._secrets import Secrets

DEFAULT_SMAPI_URL = 'https://api.amazonalexa.com'
MAX_RESULTS = 50  # the largest page SMAPI serves
# No account has more: 200 pages of 50 are 10,000 subscribers or subscriptions. A server that hands
# out more pages than that is going round in circles, and the listing ends with an error.
MAX_PAGES = 200
# How long concurrent creators of one object take to see each other's creates (see settle_many).
SETTLE_SECONDS = 1.0
# SMAPI answers a token without the operation's scope with this message and no error code; it is
# recognised here, once, and carried on as the fact ApiError.missing_scope.
SMAPI_NOT_CONSENTED = 'user has not consented to this operation.'

# What a create left: the ID to keep; the IDs of the copies this run removed in favour of it (empty
# when there was no race to settle); and whether the create was sent again after a lost response
# and a look that found nothing, so that the lost attempt may still be stored later (settle_many
# removes such a copy too).
Created = namedtuple('Created', ['id', 'removed', 'resent'], defaults=((), False))


def smapi_error(failure, mask=None):
    """The ApiError for a failed SMAPI request: SMAPI's error body ({code, message, violations}) when
    the answer has one, else what the transport says went wrong (``mask`` hides secrets in an excerpt)."""
    reply = failure.reply
    kind = NotFound if failure.status == 404 else ApiError
    if failure.reason or reply is None:
        return kind.of_failure(failure, failure.reason)
    body = error_body(reply, 'message')
    if body is None:
        error = kind.of_failure(failure, foreign_error(reply, 'SMAPI error', mask))
    else:
        code = body.get('code') if isinstance(body.get('code'), str) else None
        violations = body.get('violations') if isinstance(body.get('violations'), list) else None
        error = kind.of_failure(failure, body['message'], code=code, violations=violations)
        error.missing_scope = failure.status in (401, 403) and body['message'].strip().lower() == SMAPI_NOT_CONSENTED
    return error


def shape_problem(value, shape, where='the answer'):
    """What is wrong with ``value`` as ``shape`` describes it, in words; None when nothing is.

    A shape is a type (str: a non-empty string), a list of one shape (a list of such values) or a
    dict of keys to shapes (an object that holds them; a key ending in ? may be missing or null).
    Every field the modules read is described, so that no answer reaches them in a shape they
    would trip on."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return '%s is not an object' % where
        for key, inner in shape.items():
            name = key.rstrip('?')
            if value.get(name) is None:
                if key.endswith('?'):
                    continue
                return '%s has no %s' % (where, name)
            problem = shape_problem(value[name], inner, '%s.%s' % (where, name) if where != 'the answer' else name)
            if problem:
                return problem
        return None
    if isinstance(shape, list):
        if not isinstance(value, list):
            return '%s is not a list' % where
        return next(filter(None, (shape_problem(item, shape[0], '%s[%d]' % (where, index))
                                  for index, item in enumerate(value))), None)
    if not isinstance(value, shape) or isinstance(value, bool) or (shape is str and not value):
        return '%s is not %s' % (where, KIND_NAMES.get(shape, 'a %s' % shape.__name__))
    return None


def describe_shape(shape):
    """The fields a shape requires, for an error message."""
    return ', '.join(key for key in shape if not key.endswith('?'))


def _checked(shape, expected, mask):
    """The check of an answer that must be a JSON object of ``shape``."""
    def check(reply):
        body = json_body(reply, 'smapi', mask)
        problem = shape_problem(body, shape)
        if problem:
            raise unusable(reply, 'smapi', '%s (%s)' % (expected, problem), mask=mask)
        return body
    return check


KIND_NAMES = {str: 'a non-empty string', list: 'a list', dict: 'an object'}


def _created_id(path, mask):
    """The check of a create's answer: the new object's ID, from a Location under ``path``."""
    def check(reply):
        try:
            location = urlsplit(reply.headers.get('Location') or '').path.rstrip('/')
        except ValueError:
            location = ''
        new_id = location.rsplit('/', 1)[-1]
        if not location.startswith(path + '/') or not new_id or location != '%s/%s' % (path, new_id):
            raise unusable(reply, 'smapi', 'a Location header naming the new object under %s' % path, mask=mask)
        return new_id
    return check


class SmapiClient:

    def __init__(self, transport, token, smapi_url=DEFAULT_SMAPI_URL, secrets=None):
        self.transport = transport
        self.token = token
        self.base_url = smapi_url.rstrip('/')
        self.secrets = secrets or Secrets()

    def request(self, method, path, params=None, body=None, check=None, first_attempt=1, budget=None):
        """One SMAPI call; an expired access token is refreshed once when refresh credentials exist.
        Returns ``check(reply)`` (or the reply); raises ApiError, its secrets masked."""
        refreshed = False
        while True:
            bearer = self.token.get()
            headers = {'Authorization': 'Bearer %s' % bearer, 'Accept': 'application/json'}
            try:
                return self.transport.request(method, self.base_url + path, 'smapi', headers=headers, params=params,
                                              json=body, check=check, first_attempt=first_attempt, budget=budget)
            except HttpFailure as failure:
                error = smapi_error(failure, self.secrets.mask).masked(self.secrets)
            # A token without the scope stays without it when refreshed.
            if error.status != 401 or error.missing_scope or not self.token.can_refresh:
                raise error
            if refreshed:
                error.after_refresh = True
                raise error
            self.token.refresh(stale=bearer)
            refreshed = True

    def get(self, path, params=None, shape=None):
        """The JSON object at ``path``, of ``shape`` (shape_problem) when one is given."""
        expected = 'a JSON object with %s' % describe_shape(shape) if shape else 'a JSON object'
        return self.request('GET', path, params=params, check=_checked(shape or {}, expected, self.secrets.mask))

    def get_or_none(self, path, shape=None):
        """The object at ``path``, or None when SMAPI says there is none (HTTP 404)."""
        try:
            return self.get(path, shape=shape)
        except NotFound:
            return None

    def put(self, path, body):
        self.request('PUT', path, body=body)

    def delete_if_exists(self, path):
        """Delete the object at ``path``; True if it was deleted, False if it was already gone.

        A 404 is the goal reached, also when a retried DELETE finds its first attempt went through.
        """
        try:
            self.request('DELETE', path)
        except NotFound:
            return False
        return True

    def paginate(self, path, item_key, item_shape, params=None):
        """Every item of a list operation, following nextToken until the last page.

        A server that does not let the listing end (a token it handed out before, a token on an
        empty page, more than MAX_PAGES pages) ends it with an error instead of being followed."""
        query = dict(params or {}, maxResults=MAX_RESULTS)
        seen = set()
        for page_number in range(1, MAX_PAGES + 1):
            page = self.request('GET', path, params=query, check=_checked(
                {item_key: [item_shape], 'nextToken?': str},
                'a JSON object whose %s lists objects with %s' % (item_key, describe_shape(item_shape)),
                self.secrets.mask))
            yield from page[item_key]
            next_token = page.get('nextToken')
            if not next_token:
                return
            problem = ('the same nextToken twice' if next_token in seen
                       else 'an empty page with a nextToken' if not page[item_key] else None)
            if problem:
                raise ApiError('SMAPI answered %s (page %d); the listing stops so as not to loop without end'
                               % (problem, page_number), status=200, method='GET', path=path)
            seen.add(next_token)
            query['nextToken'] = next_token
        raise ApiError('SMAPI offered more than %d pages of %d (more than any account holds); the listing stops so '
                       'as not to loop without end' % (MAX_PAGES, MAX_RESULTS), status=200, method='GET', path=path)

    def create(self, path, body, find_twins, settle=True):
        """POST a new object and return what is left as ``Created``: the ID to keep, which may not be
        the new one, and the ID this run removed in favour of it.

        ``find_twins`` returns the IDs of every object with the new one's identity (name and
        owner). It is asked before any re-send of a create whose outcome is unknown, so a lost
        response never leaves a duplicate, and after the create, to settle a race with concurrent
        creators. A caller that creates many objects passes ``settle=False`` and settles them
        together (``settle_many``).
        """
        looks = 0  # one per lost response, each made before sending again or giving up
        attempt, budget = 1, None
        while True:
            lost = None
            try:
                own_id = self.request('POST', path, body=body, check=_created_id(path, self.secrets.mask),
                                      first_attempt=attempt, budget=budget)
            except ApiError as error:
                if not error.maybe_stored:
                    raise
                lost = error
            if lost is None:
                break
            # The wait comes first: it also gives a create stored late the time to show.
            wait = self.transport.backoff(lost) if lost.retryable else None
            if wait is not None:
                self.transport.sleep(wait)
            looks += 1
            own_id = min(find_twins(), default=None)
            if own_id is not None:
                if looks == 1:  # found at the first look: the create was sent once
                    return Created(own_id)
                break
            if wait is None:
                raise lost
            attempt, budget = lost.attempts + 1, lost.budget
        # Sent more than once: an attempt whose response was lost may still be stored after this.
        resent = looks > 0
        if not settle:
            return Created(own_id, resent=resent)
        return self.settle_many(path, {None: own_id}, lambda: {None: find_twins()}, resent={None} if resent else ())[None]

    def settle_many(self, path, created, find_all_twins, resent=()):
        """Resolve races of concurrent creates: SDNS has no conditional create.

        ``created`` maps each new object's identity to the ID this run created; ``find_all_twins()``
        maps identities to the IDs of every object that has them, in one lookup for all. Every racer
        keeps the same survivor, the twin with the lowest ID, and deletes only the object it
        created itself, so the survivor's creator never deletes it and exactly one remains. The
        lookup comes SETTLE_SECONDS after the creates, so that a twin whose create was on its way
        meanwhile is seen; one that arrives later than that is left for the user (the next run
        names both). For an identity in ``resent`` (a create sent again after a lost response
        found nothing) every twin but the survivor is removed: the lost attempt may have been
        stored after the look, and a racer's twin that is not the survivor its creator removes
        anyway. Only when a racer had settled before such a late copy appeared, is the ID it
        reported removed (its rerun reports the survivor): one object remains either way.
        Returns a ``Created`` for each identity (``resent`` is not carried over).
        """
        self.transport.sleep(SETTLE_SECONDS)
        twins = find_all_twins()
        settled = {}
        for identity, own_id in created.items():
            ids = set(twins.get(identity) or ()) | set([own_id])
            survivor = min(ids)
            removed = sorted(ids - set([survivor]) if identity in resent else set([own_id]) - set([survivor]))
            for copy_id in removed:
                self.delete_if_exists('%s/%s' % (path, copy_id))
            settled[identity] = Created(survivor, tuple(removed))
        return settled
