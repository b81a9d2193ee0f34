"""People, roles and what each role may do; argon2 password hashes; API tokens stored as hashes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tocsin.monitor import audit
from tocsin.monitor.errors import AuthError, NotFound, PermissionDenied, ValidationError
from tocsin.monitor.models import ApiToken, ReporterContact, Role, User

# The permission matrix. Admin is a superset of analyst; analyst of monitor, except "own" rules:
# a monitor sees and edits only incidents they submitted.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "submit": frozenset({Role.monitor, Role.analyst, Role.admin}),
    "score": frozenset({Role.monitor, Role.analyst, Role.admin}),
    "read_all": frozenset({Role.analyst, Role.admin}),
    "edit_any": frozenset({Role.analyst, Role.admin}),
    "verify": frozenset({Role.analyst, Role.admin}),
    "merge": frozenset({Role.analyst, Role.admin}),
    "export": frozenset({Role.analyst, Role.admin}),
    "alerts": frozenset({Role.analyst, Role.admin}),
    "import": frozenset({Role.analyst, Role.admin}),
    "read_reporter": frozenset({Role.admin}),
    "manage_users": frozenset({Role.admin}),
    "manage_lexicon": frozenset({Role.admin}),
    "read_audit": frozenset({Role.admin}),
}

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # hashing cost must not grow with what a client sends
# Argon2id, OWASP's first recommended set (2023): 19 MiB, 2 passes, 1 lane; about 20 ms per hash here.
# Stated here and bounded: a stored hash asking for more than the MAX_* below is refused, not verified, so
# a planted hash cannot make a login cost seconds or gigabytes.
ARGON2_TIME_COST = 2
ARGON2_MEMORY_KIB = 19_456
ARGON2_PARALLELISM = 1
MAX_TIME_COST = 10
MAX_MEMORY_KIB = 262_144
MAX_PARALLELISM = 8
_hasher = PasswordHasher(time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM)
DEFAULT_TOKEN_DAYS = 30


def can(user: User, permission: str) -> bool:
    return Role(user.role) in PERMISSIONS[permission]


def require(user: User, permission: str) -> None:
    if not user.active:
        raise PermissionDenied(f"user {user.username!r} is deactivated")
    if not can(user, permission):
        raise PermissionDenied(f"role {user.role!r} may not {permission.replace('_', ' ')}")


def hash_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise ValidationError(f"password must have {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return _hasher.hash(password)


def hash_within_bounds(stored: str) -> bool:
    """Whether a stored argon2 hash asks for no more work than the stated maxima."""
    from argon2 import extract_parameters

    try:
        p = extract_parameters(stored)
    except (InvalidHashError, ValueError):
        return False
    return p.time_cost <= MAX_TIME_COST and p.memory_cost <= MAX_MEMORY_KIB and p.parallelism <= MAX_PARALLELISM


def create_user(
    session: Session,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    full_name: str | None = None,
    contact: str | None = None,
) -> User:
    """Add a user. `actor` None is the local operator (CLI with direct database access)."""
    if actor is not None:
        require(actor, "manage_users")
    username = username.strip()
    if not username or len(username) > 80:
        raise ValidationError("username must have 1 to 80 characters")
    try:
        role_value = Role(role).value
    except ValueError as exc:
        raise ValidationError(f"unknown role {role!r} (known: {', '.join(r.value for r in Role)})") from exc
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise ValidationError(f"user {username!r} already exists")
    user = User(username=username, role=role_value, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    if full_name or contact:
        session.add(ReporterContact(user_id=user.id, full_name=full_name, contact=contact))
    audit.record(session, actor, "user.create", "user", user.id, role=role_value)
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    return user


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count(User.id))) or 0)


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username[:80]))
    # Verify against a dummy hash when the user is unknown, so timing does not reveal who exists.
    stored = user.password_hash if user is not None else _DUMMY_HASH
    if len(password) > MAX_PASSWORD or not hash_within_bounds(stored):
        stored = _DUMMY_HASH
        user = None
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError) as exc:
        raise AuthError("wrong username or password") from exc
    if user is None or not user.active:
        raise AuthError("wrong username or password")
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def as_utc(d: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    return None if d is None else (d if d.tzinfo is not None else d.replace(tzinfo=UTC))


def create_token(session: Session, user: User, label: str = "", ttl_days: int = DEFAULT_TOKEN_DAYS,
                 actor: User | None = None) -> str:
    """Issue an API token valid for `ttl_days`; the plaintext is returned once and never stored.

    `actor` is who issued it when that is not the user themself (None: the user, or the local operator).
    """
    if not user.active:
        raise AuthError("wrong username or password")
    if not 1 <= ttl_days <= 365:
        raise ValidationError("a token lives 1 to 365 days")
    token = "tcs_" + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=ttl_days)
    row = ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label[:120], expires_at=expires)
    session.add(row)
    session.flush()
    audit.record(session, actor or user, "token.create", "token", row.id, label=label[:120], user_id=user.id,
                 expires_at=expires.isoformat())
    return token


def user_for_token(session: Session, token: str) -> User:
    if not token or len(token) > 200:
        raise AuthError("invalid, expired or revoked API token")
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None:
        raise AuthError("invalid, expired or revoked API token")
    expires = as_utc(row.expires_at)
    if expires is None or expires <= now:
        raise AuthError("invalid, expired or revoked API token")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise AuthError("invalid, expired or revoked API token")
    return user


def token_row(session: Session, token: str) -> ApiToken:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None:
        raise NotFound("no such token")
    return row


def _manage(actor: User | None) -> None:
    if actor is not None:
        require(actor, "manage_users")


def revoke_token(session: Session, user: User, token: str) -> None:
    """Revoke a token by its plaintext: its own user may (logging out), and admins."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or (row.user_id != user.id and not can(user, "manage_users")):
        raise NotFound("no such token")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    audit.record(session, user, "token.revoke", "token", row.id, user_id=row.user_id)


def revoke_token_id(session: Session, actor: User | None, token_id: int) -> ApiToken:
    """Revoke token `token_id`: admins (or the local operator) only; audited."""
    _manage(actor)
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(f"no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    audit.record(session, actor, "token.revoke", "token", row.id, user_id=row.user_id)
    return row


def list_tokens(session: Session, actor: User | None, username: str | None = None) -> list[dict[str, Any]]:
    """Tokens (never their hashes) with their state: admins (or the local operator) only."""
    _manage(actor)
    q = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
    if username is not None:
        q = q.where(User.username == username)
    now = datetime.now(UTC)
    out = []
    for tok, name in session.execute(q).all():
        expires = as_utc(tok.expires_at)
        state = ("revoked" if tok.revoked_at is not None else "expired" if expires is None or expires <= now
                 else "active")
        out.append({"id": tok.id, "username": name, "label": tok.label, "created_at": as_utc(tok.created_at),
                    "expires_at": expires, "revoked_at": as_utc(tok.revoked_at), "state": state})
    return out


def set_active(session: Session, actor: User | None, username: str, active: bool) -> User:
    """Deactivate (every token revoked at once) or reactivate a user: admins (or the local operator) only."""
    _manage(actor)
    user = get_user(session, username)
    if actor is not None and actor.id == user.id and not active:
        raise ValidationError("an admin cannot deactivate themself (ask another admin)")
    now = datetime.now(UTC)
    revoked: list[int] = []
    if not active:
        user.active, user.deactivated_at = False, now
        for tok in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                          ApiToken.revoked_at.is_(None))):
            tok.revoked_at = now
            revoked.append(tok.id)
    else:
        user.active, user.deactivated_at = True, None
    audit.record(session, actor, "user.deactivate" if not active else "user.activate", "user", user.id,
                 revoked_tokens=revoked)
    return user


def list_users(session: Session, actor: User | None) -> list[User]:
    _manage(actor)
    return list(session.scalars(select(User).order_by(User.id)))


def reporter_contact(session: Session, actor: User, user_id: int) -> dict[str, object]:
    """Who a reporter is: admins only, and the read itself is audited."""
    require(actor, "read_reporter")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    contact = session.get(ReporterContact, user_id)
    audit.record(session, actor, "reporter.read", "user", user_id)
    return {
        "user_id": user.id,
        "username": user.username,
        "full_name": contact.full_name if contact else None,
        "contact": contact.contact if contact else None,
    }


_DUMMY_HASH = _hasher.hash("not-a-real-password-0")
