"""Hide credentials in URLs and messages before they reach a log, an error or the database.

Camera and database URLs carry passwords (``rtsp://admin:secret@10.0.0.5/stream``,
``postgresql+psycopg://app:secret@db/storepixel``). Anything that prints or stores a URL passes
it through :func:`redact_url`; free text that may quote one (a driver's error) goes through
:func:`redact_text`.

>>> redact_url("rtsp://admin:secret@10.0.0.5:554/Streaming/Channels/101")
'rtsp://admin:***@10.0.0.5:554/Streaming/Channels/101'
>>> redact_url("https://cam.local/snap.jpg?user=viewer&password=secret")
'https://cam.local/snap.jpg?user=viewer&password=***'
"""

from __future__ import annotations

import re

MASK = "***"

# Query parameters whose value is a secret (compared lower-case).
_SECRET_PARAMS = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "token",
        "access_token",
        "auth",
        "apikey",
        "api_key",
        "key",
        "sig",
        "signature",
    }
)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://)(.*)$", re.DOTALL)
_QUERY_PARAM = re.compile(r"([?&;])([^=&;#]+)=([^&;#]*)")
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\S+")
_KEYWORD_SECRET = re.compile(r"\b(password|passwd|pwd)\s*=\s*('[^']*'|\"[^\"]*\"|[^\s&;#]+)", re.I)


def _userinfo_end(rest: str) -> int:
    """Index of the ``@`` ending the userinfo in ``rest`` (the URL after ``scheme://``), or -1.

    Well-formed URLs keep userinfo inside the authority (before the first ``/``, ``?`` or ``#``).
    Users also paste camera passwords with those characters unencoded; such a URL is ambiguous, and
    we prefer hiding too much to leaking: the userinfo then runs to the last ``@`` before the first
    ``/`` that follows the first ``@``.
    """
    authority_end = len(rest)
    for ch in "/?#":
        i = rest.find(ch)
        if i != -1:
            authority_end = min(authority_end, i)
    at = rest.rfind("@", 0, authority_end)
    if at != -1:
        return at
    first_at = rest.find("@")
    if first_at == -1:
        return -1
    head = rest[:authority_end]
    if ":" not in rest[:first_at] or (":" in head and head.rsplit(":", 1)[1].isdigit()):
        return -1  # no password-like part, or ``host:port/…?x=a@b``: an ``@`` outside userinfo
    slash = rest.find("/", first_at)
    return rest.rfind("@", 0, slash if slash != -1 else len(rest))


def redact_url(url: str) -> str:
    """Return ``url`` with the password in its userinfo and secret query values replaced by ``***``.

    The user name and host stay, so the message still says which account and server. Strings that
    are not URLs are returned unchanged, except that ``password=…`` keywords are hidden.

    >>> redact_url("postgresql+psycopg://app:s3cr3t@db:5432/storepixel")
    'postgresql+psycopg://app:***@db:5432/storepixel'
    >>> redact_url("sqlite:///data/storepixel.db")
    'sqlite:///data/storepixel.db'
    """
    match = _SCHEME.match(url)
    if match is None:
        return _KEYWORD_SECRET.sub(lambda m: f"{m.group(1)}={MASK}", url)
    scheme, rest = match.groups()
    end = _userinfo_end(rest)
    if end != -1:
        userinfo, rest = rest[:end], rest[end:]
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":" + MASK
        rest = userinfo + rest
    rest = _QUERY_PARAM.sub(_mask_param, rest)
    return scheme + rest


def _mask_param(m: re.Match[str]) -> str:
    sep, name, value = m.groups()
    if name.lower() in _SECRET_PARAMS and value:
        value = MASK
    return f"{sep}{name}={value}"


def redact_text(text: str) -> str:
    """Redact every URL and ``password=…`` keyword found in free text (log lines, driver errors).

    >>> redact_text("could not open rtsp://u:p@cam/1 (timeout)")
    'could not open rtsp://u:***@cam/1 (timeout)'
    """
    text = _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
    return _KEYWORD_SECRET.sub(lambda m: f"{m.group(1)}={MASK}", text)
