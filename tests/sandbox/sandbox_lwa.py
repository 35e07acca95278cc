# SPDX-License-Identifier: GPL-3.0-or-later
"""Login with Amazon: POST /auth/o2/token with the refresh_token and authorization_code
grants, OAuth 2.0 style errors (RFC 6749 section 5.2).

Real LWA takes the grant as a form (RFC 6749) or as a JSON object, which is what the official ASK CLI
sends, and at /auth/O2/token too, the path the ASK SDKs' token client uses: the sandbox does the same,
with the same answers and errors either way."""

import base64
import binascii
import hmac
import time
from urllib.parse import parse_qs, unquote_plus

from sandbox_http import ApiError, Reply, Route

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def oauth_error(status, error, description):
    headers = dict(NO_STORE)
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="LWA"'
    return ApiError(status, {"error": error, "error_description": description}, headers)


def _form(req):
    """The grant's fields, from a form or from a JSON object of strings."""
    content_type = (req.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        return {k: v[0] for k, v in parse_qs(req.raw_body, keep_blank_values=True).items()}
    if content_type == "application/json":
        try:
            body = req.json()
        except ApiError:
            body = None  # answered the OAuth way below, not SMAPI's
        if not body or not all(isinstance(value, str) for value in body.values()):
            raise oauth_error(400, "invalid_request",
                              "The request body must be a JSON object of string fields.")
        return body
    raise oauth_error(400, "invalid_request", "The request body must be "
                      "application/x-www-form-urlencoded or application/json.")


def _client_credentials(req, form):
    """Form fields, or HTTP Basic as RFC 6749 section 2.3.1 prefers."""
    header = req.headers.get("Authorization") or ""
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise oauth_error(401, "invalid_client", "Malformed Basic credentials.") from None
        client_id, dummy, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return form.get("client_id"), form.get("client_secret")


def _authenticate_client(req, form):
    client_id, secret = _client_credentials(req, form)
    client = req.state.clients.get(client_id or "")
    if client is None or not secret or not hmac.compare_digest(client.client_secret, secret):
        raise oauth_error(401, "invalid_client",
                          "Client authentication failed: unknown client_id or wrong "
                          "client_secret.")
    req.client_id = client.client_id
    return client


def _require(form, *names):
    for name in names:
        if not form.get(name):
            raise oauth_error(400, "invalid_request", f"The request is missing {name}.")


def _answer(req, access, refresh):
    return Reply(200, {"access_token": access.token, "refresh_token": refresh.token,
                       "token_type": "bearer", "expires_in": req.state.access_token_lifetime},
                 NO_STORE)


def refresh_grant(req, client, form):
    _require(form, "refresh_token")
    with req.state.lock:
        refresh = req.state.refresh_tokens.get(form["refresh_token"])
        # A refresh token works only with the security profile it was issued to.
        if refresh is None or not refresh.usable() or refresh.client_id != client.client_id:
            raise oauth_error(400, "invalid_grant",
                              "The refresh token is invalid, revoked, or was issued to "
                              "another client.")
        # LWA answers with the same refresh token; the access token keeps its scopes.
        access, dummy = req.state.mint(refresh.client_id, refresh.user_id, refresh.scopes,
                                       refresh_token=refresh)
    return _answer(req, access, refresh)


def code_grant(req, client, form):
    _require(form, "code", "redirect_uri")
    with req.state.lock:
        code = req.state.codes.get(form["code"])
        if code is None or code.used or code.expires_at < time.time() \
                or code.client_id != client.client_id:
            raise oauth_error(400, "invalid_grant",
                              "The authorization code is invalid, expired, already used, or "
                              "was issued to another client.")
        if code.redirect_uri != form["redirect_uri"]:
            raise oauth_error(400, "invalid_grant",
                              "redirect_uri does not match the one used to obtain the code.")
        code.used = True
        access, refresh = req.state.mint(code.client_id, code.user_id, code.scopes)
    return _answer(req, access, refresh)


GRANTS = {"refresh_token": refresh_grant, "authorization_code": code_grant}


def token(req):
    form = _form(req)
    if "client_id" in form:
        req.client_id = form["client_id"]  # logged even when authentication fails
    grant_type = form.get("grant_type")
    if not grant_type:
        raise oauth_error(400, "invalid_request", "The request is missing grant_type.")
    if grant_type not in GRANTS:
        # client_credentials exists in LWA but yields tokens SMAPI does not accept.
        raise oauth_error(400, "unsupported_grant_type",
                          f"grant_type {grant_type} is not supported; use refresh_token or "
                          f"authorization_code.")
    client = _authenticate_client(req, form)
    return GRANTS[grant_type](req, client, form)


ROUTES = [Route("POST", "/auth/o2/token", token), Route("POST", "/auth/O2/token", token)]
