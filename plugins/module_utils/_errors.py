# -*- coding: utf-8 -*-
# Copyright: contributors to the skillops.alexa collection
# Simplified BSD License (see https://opensource.org/licenses/BSD-2-Clause)
# SPDX-License-Identifier: BSD-2-Clause
"""Every failure the client and the SDNS domain code raise, and the facts each one carries.

A module reports a SkillopsError as it is: its str() is the whole message, naming the field and
the fix. Only ApiError comes from a request; the hint a module adds to it (``_module.explain``)
is chosen from its fields, never from its text.

This is an internal module_utils of skillops.alexa, not a public API: it may change at any time.
"""


class SkillopsError(Exception):
    """A failure a module reports; str() is the message."""


class ValidationError(SkillopsError, ValueError):
    """Bad input, refused before any request is sent."""


class Conflict(SkillopsError):
    """The object exists, but the task asks for what SDNS does not allow on it (a field SDNS never
    changes, a subscriber of another security profile). Found by reading; nothing was written."""


class Ambiguous(SkillopsError):
    """Several objects have the identity the task gives; the user must name one by its ID."""

    def __init__(self, what, name, ids, fix='name the one to manage with its ID'):
        self.ids = sorted(ids)
        super().__init__('%d %ss are named %r (%s); %s' % (len(self.ids), what, name, ', '.join(self.ids), fix))


class ApiError(SkillopsError):
    """A request SMAPI or LWA refused or did not answer, with the facts that say why.

    ``service`` is 'smapi' or 'lwa'. ``status`` is None when no response came. ``code`` is SMAPI's
    error code, ``oauth_error`` LWA's (invalid_grant, invalid_client, ...). ``retryable``: a later
    attempt could succeed (throttling, a transient 5xx, no response). ``missing_scope``: SMAPI says
    the token lacks the scope the operation needs. ``after_refresh``: SMAPI refused even an access
    token minted for this very call. ``notes`` are said after the message, in brackets.
    ``maybe_stored``: a create that reached the server and got no usable answer may have been stored
    (its client looks before sending it again); ``retry_after`` is the wait the server asked for.

    An ApiError made without ``method`` stands for no single request (a lookup that found nothing,
    a page that makes no sense): its str() is its message alone.
    """

    def __init__(self, message, status=None, method=None, path=None, code=None, violations=None, attempts=1,
                 service='smapi', oauth_error=None, retryable=False, missing_scope=False, after_refresh=False,
                 maybe_stored=False, retry_after=None, budget=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path
        self.code = code
        self.violations = violations or []
        self.attempts = attempts
        self.service = service
        self.oauth_error = oauth_error
        self.retryable = retryable
        self.missing_scope = missing_scope
        self.after_refresh = after_refresh
        self.maybe_stored = maybe_stored
        self.retry_after = retry_after
        self.budget = budget
        self.notes = []

    def __str__(self):
        if not self.method:
            return self.message
        status = 'HTTP %s' % self.status if self.status else 'no response'
        text = '%s %s failed (%s' % (self.method, self.path, status)
        if self.code or self.oauth_error:
            text += ', %s' % (self.code or self.oauth_error)
        text += '): %s' % self.message
        if self.violations:
            text += ' [%s]' % '; '.join(
                str(v.get('message') or v.get('code') or v) for v in self.violations if isinstance(v, dict))
        notes = list(self.notes)
        if self.after_refresh:
            notes.append('also with a freshly refreshed access token')
        if self.attempts > 1:
            notes.append('after %d attempts' % self.attempts)
        return text + ''.join(' (%s)' % note for note in notes)

    @classmethod
    def of_failure(cls, failure, message, **facts):
        """The error for a transport's HttpFailure: its request's facts, with the message and the
        facts of the service's error shape."""
        error = cls(message, status=failure.status, method=failure.method, path=failure.path, attempts=failure.attempts,
                    service=failure.service, retryable=failure.retryable, maybe_stored=failure.maybe_stored,
                    retry_after=failure.retry_after, budget=failure.budget, **facts)
        error.notes.extend(failure.notes)
        return error

    def masked(self, secrets):
        """This error with every secret of ``secrets`` masked in what it says (it may quote a body that
        echoed a token or the form that carried one)."""
        self.message = secrets.mask(self.message)
        self.args = (self.message,)
        self.code = _masked(self.code, secrets)
        self.oauth_error = _masked(self.oauth_error, secrets)
        self.violations = [_masked(violation, secrets) for violation in self.violations if isinstance(violation, dict)]
        self.notes = [secrets.mask(note) for note in self.notes]
        return self

    def as_dict(self):
        """The facts for a module result; never holds request bodies or headers."""
        return dict(service=self.service, status=self.status, code=self.code, oauth_error=self.oauth_error,
                    message=self.message, violations=self.violations, method=self.method, path=self.path,
                    attempts=self.attempts, retryable=self.retryable, missing_scope=self.missing_scope,
                    after_refresh=self.after_refresh)


class NotFound(ApiError):
    """The object does not exist, or this token cannot see it: SMAPI's HTTP 404, or a lookup the task
    depends on that found nothing (then made without a request, its message naming the field)."""


def _masked(value, secrets):
    """``value`` (any JSON a server sent) with the secrets masked in every string it holds."""
    if isinstance(value, str):
        return secrets.mask(value)
    if isinstance(value, dict):
        return dict((_masked(key, secrets), _masked(item, secrets)) for key, item in value.items())
    if isinstance(value, list):
        return [_masked(item, secrets) for item in value]
    return value
