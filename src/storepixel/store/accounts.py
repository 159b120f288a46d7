"""Users, browser sessions, API keys and the audit log, kept in the store.

Passwords are hashed with argon2id (``argon2-cffi``). Session tokens and API keys are 256-bit
random strings; only their SHA-256 is stored, which is enough for secrets that cannot be guessed
(no slow hash needed, and a key check costs one indexed lookup).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Table, delete, insert, select, update

from storepixel.errors import BadInput, Conflict, NotFound
from storepixel.store import Store
from storepixel.store.locks import take_write_lock
from storepixel.store.web_models import (
    ApiKeyRecord,
    AuditRecord,
    SessionTokenRecord,
    UserRecord,
)

USERS: Table = UserRecord.__table__  # type: ignore[assignment]
SESSIONS: Table = SessionTokenRecord.__table__  # type: ignore[assignment]
KEYS: Table = ApiKeyRecord.__table__  # type: ignore[assignment]
AUDIT: Table = AuditRecord.__table__  # type: ignore[assignment]

ROLES = ("admin", "viewer")
SCOPES = ("read", "ingest", "admin")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MIN_PASSWORD = 8
SESSION_TTL_S = 7 * 24 * 3600
KEY_PREFIX = "spk_"

_hasher = PasswordHasher()
_stand_in: tuple[PasswordHasher, str] | None = None


def _stand_in_hash() -> str:
    """A hash of a random password, made once with the current hasher's parameters."""
    global _stand_in
    if _stand_in is None or _stand_in[0] is not _hasher:
        _stand_in = (_hasher, _hasher.hash(secrets.token_urlsafe(16)))
    return _stand_in[1]


class AccountError(BadInput):
    """A bad username, password, role, scope or key (shown to the user as one line)."""


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- users --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: str
    created_at: float


def check_username(name: str) -> str:
    if not USERNAME.match(name):
        raise AccountError(
            f"invalid username {name!r}: expected 1-64 letters, digits or _ . @ - "
            "(starting with a letter or digit)"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short: expected at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise AccountError("password too long: expected at most 1024 characters")
    return password


def create_user(store: Store, username: str, password: str, role: str = "viewer") -> User:
    """Add a user; :class:`Conflict` if the name is taken."""
    check_username(username)
    check_password(password)
    if role not in ROLES:
        raise AccountError(f"invalid role {role!r}: expected admin or viewer")
    now = time.time()
    with store.transaction() as conn:
        take_write_lock(conn, USERS)
        if conn.execute(select(USERS.c.username).where(USERS.c.username == username)).first():
            raise Conflict(f"user {username!r} already exists")
        conn.execute(
            insert(USERS).values(
                username=username,
                password_hash=_hasher.hash(password),
                role=role,
                created_at=now,
            )
        )
    return User(username, role, now)


def list_users(store: Store) -> list[User]:
    with store.connect() as conn:
        rows = conn.execute(select(USERS).order_by(USERS.c.username)).all()
    return [User(r.username, r.role, r.created_at) for r in rows]


def get_user(store: Store, username: str) -> User | None:
    with store.connect() as conn:
        r = conn.execute(select(USERS).where(USERS.c.username == username)).first()
    return None if r is None else User(r.username, r.role, r.created_at)


def delete_user(store: Store, username: str) -> None:
    """Remove a user and end their sessions; refuses to remove the last admin."""
    with store.transaction() as conn:
        take_write_lock(conn, USERS)
        row = conn.execute(select(USERS).where(USERS.c.username == username)).first()
        if row is None:
            raise NotFound(f"no user {username!r}")
        if row.role == "admin":
            admins = conn.execute(select(USERS.c.username).where(USERS.c.role == "admin")).all()
            if len(admins) <= 1:
                raise Conflict(f"{username!r} is the last admin; create another admin first")
        conn.execute(delete(SESSIONS).where(SESSIONS.c.username == username))
        conn.execute(delete(USERS).where(USERS.c.username == username))


def verify_password(store: Store, username: str, password: str) -> User | None:
    """The user if the password matches, else ``None`` (same cost either way)."""
    with store.connect() as conn:
        row = conn.execute(select(USERS).where(USERS.c.username == username)).first()
    # An unknown user is checked against a stand-in hash of the same cost, so the response time
    # does not tell which usernames exist.
    stored = _stand_in_hash() if row is None else row.password_hash
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:  # the stand-in matched: its password is random, so only by a fluke
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        with store.transaction() as conn:
            conn.execute(
                update(USERS)
                .where(USERS.c.username == username)
                .values(password_hash=_hasher.hash(password))
            )
    return User(row.username, row.role, row.created_at)


# --- sessions -----------------------------------------------------------------------------------


def create_session(store: Store, username: str, ttl_s: float = SESSION_TTL_S) -> str:
    """A new session token for ``username`` (returned once; the store keeps its hash)."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with store.transaction() as conn:
        conn.execute(delete(SESSIONS).where(SESSIONS.c.expires_at < now))
        conn.execute(
            insert(SESSIONS).values(
                token_hash=sha256(token), username=username, created_at=now, expires_at=now + ttl_s
            )
        )
    return token


def session_user(store: Store, token: str) -> User | None:
    now = time.time()
    stmt = (
        select(USERS)
        .join(SESSIONS, SESSIONS.c.username == USERS.c.username)
        .where(SESSIONS.c.token_hash == sha256(token), SESSIONS.c.expires_at > now)
    )
    with store.connect() as conn:
        r = conn.execute(stmt).first()
    return None if r is None else User(r.username, r.role, r.created_at)


def end_session(store: Store, token: str) -> None:
    with store.transaction() as conn:
        conn.execute(delete(SESSIONS).where(SESSIONS.c.token_hash == sha256(token)))


# --- API keys -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    name: str
    site_id: str
    scopes: tuple[str, ...]
    created_at: float
    created_by: str
    revoked_at: float | None = None
    last_used_at: float | None = None
    expires_at: float | None = None

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def as_json(self) -> dict[str, Any]:
        from storepixel.timeutil import iso

        return {
            "id": self.id,
            "name": self.name,
            "site": self.site_id,
            "scopes": list(self.scopes),
            "created_at": iso(self.created_at),
            "created_by": self.created_by,
            "revoked": self.revoked_at is not None,
            "revoked_at": iso(self.revoked_at) if self.revoked_at is not None else None,
            "last_used_at": iso(self.last_used_at) if self.last_used_at is not None else None,
            "expires_at": iso(self.expires_at) if self.expires_at is not None else None,
        }


def _key(r: Any) -> ApiKey:
    return ApiKey(
        r.id,
        r.name,
        r.site_id,
        tuple(s for s in r.scopes.split(",") if s),
        r.created_at,
        r.created_by,
        r.revoked_at,
        r.last_used_at,
        r.expires_at,
    )


def check_scopes(scopes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    if not scopes:
        raise AccountError("expected at least one scope: read, ingest or admin")
    bad = sorted(set(scopes) - set(SCOPES))
    if bad:
        raise AccountError(f"unknown scope {', '.join(bad)}: expected read, ingest or admin")
    return tuple(s for s in SCOPES if s in scopes)


def create_key(
    store: Store,
    name: str,
    site_id: str,
    scopes: list[str] | tuple[str, ...],
    created_by: str,
    *,
    expires_at: float | None = None,
) -> tuple[ApiKey, str]:
    """A new key: returns its record and the secret (shown once, stored only as a hash).
    ``expires_at`` (POSIX seconds) ends it by itself, as a revocation would."""
    name = name.strip()
    if not 1 <= len(name) <= 128:
        raise AccountError("invalid key name: expected 1-128 characters")
    ordered = check_scopes(scopes)
    if expires_at is not None and expires_at <= time.time():
        raise AccountError("the key's expiry must be in the future")
    key_id = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    now = time.time()
    with store.transaction() as conn:
        conn.execute(
            insert(KEYS).values(
                id=key_id,
                name=name,
                site_id=site_id,
                scopes=",".join(ordered),
                key_hash=sha256(secret),
                created_at=now,
                created_by=created_by,
                expires_at=expires_at,
            )
        )
    key = ApiKey(key_id, name, site_id, ordered, now, created_by, expires_at=expires_at)
    return key, secret


def list_keys(store: Store) -> list[ApiKey]:
    with store.connect() as conn:
        rows = conn.execute(select(KEYS).order_by(KEYS.c.created_at, KEYS.c.id)).all()
    return [_key(r) for r in rows]


def revoke_key(store: Store, key_id: str) -> ApiKey:
    with store.transaction() as conn:
        take_write_lock(conn, KEYS)
        row = conn.execute(select(KEYS).where(KEYS.c.id == key_id)).first()
        if row is None:
            raise NotFound(f"no API key {key_id!r}")
        if row.revoked_at is None:
            conn.execute(update(KEYS).where(KEYS.c.id == key_id).values(revoked_at=time.time()))
    return _key(row)


def key_for_secret(store: Store, secret: str) -> ApiKey | None:
    """The key with this secret unless revoked (an expired key is returned: the caller says
    "expired", which tells an operator more than "invalid"); its last use noted at most once a
    minute."""
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    with store.connect() as conn:
        row = conn.execute(select(KEYS).where(KEYS.c.key_hash == sha256(secret))).first()
    if row is None or row.revoked_at is not None:
        return None
    now = time.time()
    if (row.expires_at is None or now < row.expires_at) and (
        row.last_used_at is None or now - row.last_used_at > 60
    ):
        with store.transaction() as conn:
            conn.execute(update(KEYS).where(KEYS.c.id == row.id).values(last_used_at=now))
    return _key(row)


# --- audit log ----------------------------------------------------------------------------------


def audit(
    store: Store, actor: str, action: str, target: str, detail: dict[str, Any] | None = None
) -> None:
    with store.transaction() as conn:
        conn.execute(
            insert(AUDIT).values(
                time=time.time(),
                actor=actor[:128],
                action=action,
                target=target[:256],
                detail=detail,
            )
        )


def audit_entries(store: Store, limit: int = 200) -> list[dict[str, Any]]:
    from storepixel.timeutil import iso

    stmt = select(AUDIT).order_by(AUDIT.c.time.desc(), AUDIT.c.id.desc()).limit(limit)
    with store.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        {
            "time": iso(r.time),
            "actor": r.actor,
            "action": r.action,
            "target": r.target,
            "detail": r.detail,
        }
        for r in rows
    ]
