"""People, roles and what each role may do; argon2 password hashes; API tokens stored as hashes."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

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
_hasher = PasswordHasher()  # stateless parameters object, not shared mutable state


def can(user: User, permission: str) -> bool:
    return Role(user.role) in PERMISSIONS[permission]


def require(user: User, permission: str) -> None:
    if not user.active:
        raise PermissionDenied(f"user {user.username!r} is deactivated")
    if not can(user, permission):
        raise PermissionDenied(f"role {user.role!r} may not {permission.replace('_', ' ')}")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"password must have at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


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
    user = session.scalar(select(User).where(User.username == username))
    # Verify against a dummy hash when the user is unknown, so timing does not reveal who exists.
    stored = user.password_hash if user is not None else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError) as exc:
        raise AuthError("wrong username or password") from exc
    if user is None or not user.active:
        raise AuthError("wrong username or password")
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, label: str = "") -> str:
    """Issue an API token; the plaintext is returned once and never stored."""
    token = "tcs_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label)
    session.add(row)
    session.flush()
    audit.record(session, user, "token.create", "token", row.id, label=label)
    return token


def user_for_token(session: Session, token: str) -> User:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked_at is not None:
        raise AuthError("invalid or revoked API token")
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        raise AuthError("invalid or revoked API token")
    return user


def revoke_token(session: Session, user: User, token: str) -> None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or (row.user_id != user.id and not can(user, "manage_users")):
        raise NotFound("no such token")
    row.revoked_at = datetime.now(UTC)
    audit.record(session, user, "token.revoke", "token", row.id)


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
