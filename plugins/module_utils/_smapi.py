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
from ansible_collections.skillops.alexa.plugins.module_utils._http import Recovered

DEFAULT_SMAPI_URL = 'https://api.amazonalexa.com'
MAX_RESULTS = 50  # the largest page SMAPI serves
# How long concurrent creators of one object take to see each other's creates (see settle_many).
SETTLE_SECONDS = 1.0

# What a create left: the ID to keep; the IDs of the copies this run removed in favour of it (empty
# when there was no race to settle); and whether the create was sent again after a lost response
# and a look that found nothing, so that the lost attempt may still be stored later (settle_many
# removes such a copy too).
Created = namedtuple('Created', ['id', 'removed', 'resent'], defaults=((), False))


class SmapiClient:

    def __init__(self, transport, token, smapi_url=DEFAULT_SMAPI_URL):
        self.transport = transport
        self.token = token
        self.base_url = smapi_url.rstrip('/')

    def request(self, method, path, params=None, body=None, recover=None):
        """One SMAPI call; an expired access token is refreshed once when refresh credentials exist."""
        refreshed = False
        while True:
            bearer = self.token.get()
            headers = {'Authorization': 'Bearer %s' % bearer, 'Accept': 'application/json'}
            try:
                return self.transport.request(method, self.base_url + path, 'smapi', headers=headers, params=params,
                                              json=body, recover=recover)
            except ApiError as error:
                # A token without the scope stays without it when refreshed.
                if error.status != 401 or error.missing_scope or not self.token.can_refresh:
                    raise
                if refreshed:
                    error.after_refresh = True
                    raise
                self.token.refresh(stale=bearer)
                refreshed = True

    def get(self, path, params=None):
        return self.request('GET', path, params=params).json()

    def get_or_none(self, path):
        """The object at ``path``, or None when SMAPI says there is none (HTTP 404)."""
        try:
            return self.get(path)
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

    def paginate(self, path, item_key, params=None):
        """Every item of a list operation, following nextToken until the last page."""
        query = dict(params or {}, maxResults=MAX_RESULTS)
        seen = set()
        while True:
            page = self.get(path, params=query)
            yield from page.get(item_key) or []
            next_token = page.get('nextToken')
            if not next_token:
                return
            if next_token in seen:
                raise ApiError('the service returned the same nextToken twice; stopping to avoid an endless loop',
                               method='GET', path=path)
            seen.add(next_token)
            query['nextToken'] = next_token

    def create(self, path, body, find_twins, settle=True):
        """POST a new object and return what is left as ``Created``: the ID to keep, which may not be
        the new one, and the ID this run removed in favour of it.

        ``find_twins`` returns the IDs of every object with the new one's identity (name and
        owner). It is asked before any re-send whose outcome is unknown, so a lost response never
        leaves a duplicate, and after the create, to settle a race with concurrent creators. A
        caller that creates many objects passes ``settle=False`` and settles them together
        (``settle_many``).
        """
        looks = []  # one per lost response, each looked for before sending again or giving up

        def recover():
            looks.append(1)
            return min(find_twins(), default=None)

        result = self.request('POST', path, body=body, recover=recover)
        if isinstance(result, Recovered):
            if len(looks) == 1:  # found at the first look: the create was sent once
                return Created(result.value)
            own_id = result.value
        else:
            location = urlsplit(result.headers.get('Location') or '').path.rstrip('/')
            if not location.startswith(path + '/'):
                raise ApiError('the response has no Location header naming the new object under %s' % path,
                               status=result.status_code, method='POST', path=path)
            own_id = location.rsplit('/', 1)[-1]
        # Sent more than once: an attempt whose response was lost may still be stored after this.
        resent = bool(looks)
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
