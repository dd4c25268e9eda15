"""Enterprises and their rosters."""

from __future__ import annotations

import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.core.security import scrub_free_text
from api.db.models import EnterpriseRow, RosterMemberRow
from api.schemas.enterprises import EnterpriseCreate, RosterMemberCreate


class Conflict(ValueError):
    """The object already exists (reported as 409)."""


def create_enterprise(session: Session, data: EnterpriseCreate) -> EnterpriseRow:
    """Store an enterprise. The caller commits.

    Raises
    ------
    Conflict
        An enterprise with that id exists.
    """
    enterprise_id = data.enterprise_id or f"e-{secrets.token_hex(6)}"
    if session.get(EnterpriseRow, enterprise_id) is not None:
        raise Conflict(f"enterprise {enterprise_id!r} already exists")
    row = EnterpriseRow(**data.model_dump(exclude={"enterprise_id"}), enterprise_id=enterprise_id)
    session.add(row)
    session.flush()
    return row


def roster_size(session: Session, enterprise_id: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(RosterMemberRow)
            .where(RosterMemberRow.enterprise_id == enterprise_id)
        )
        or 0
    )


def _member(enterprise_id: str, data: RosterMemberCreate) -> RosterMemberRow:
    values = data.model_dump()
    for name in ("job_title", "duties"):
        values[name] = scrub_free_text(values[name])
    return RosterMemberRow(enterprise_id=enterprise_id, **values)


def _check_unique(members: list[RosterMemberCreate]) -> None:
    seen: set[str] = set()
    for m in members:
        if m.member_ref in seen:
            raise Conflict(f"member_ref {m.member_ref!r} appears twice in the request")
        seen.add(m.member_ref)


def add_members(
    session: Session, enterprise_id: str, members: list[RosterMemberCreate]
) -> list[RosterMemberRow]:
    """Add employees to a roster. The caller commits.

    Raises
    ------
    Conflict
        A ``member_ref`` is already on the roster or repeated in the request.
    """
    _check_unique(members)
    refs = [m.member_ref for m in members]
    taken = set(
        session.scalars(
            select(RosterMemberRow.member_ref).where(
                RosterMemberRow.enterprise_id == enterprise_id, RosterMemberRow.member_ref.in_(refs)
            )
        )
    )
    if taken:
        raise Conflict(
            f"already on the roster: {', '.join(sorted(taken)[:10])}; use PUT to replace the roster"
        )
    rows = [_member(enterprise_id, m) for m in members]
    session.add_all(rows)
    session.flush()
    return rows


def replace_roster(session: Session, enterprise_id: str, members: list[RosterMemberCreate]) -> None:
    """Replace the whole roster with ``members``. The caller commits."""
    _check_unique(members)
    session.execute(delete(RosterMemberRow).where(RosterMemberRow.enterprise_id == enterprise_id))
    session.add_all([_member(enterprise_id, m) for m in members])
    session.flush()


def list_members(session: Session, enterprise_id: str) -> list[RosterMemberRow]:
    return list(
        session.scalars(
            select(RosterMemberRow)
            .where(RosterMemberRow.enterprise_id == enterprise_id)
            .order_by(RosterMemberRow.member_ref)
        )
    )


def remove_member(session: Session, enterprise_id: str, member_ref: str) -> bool:
    """Delete one employee from the roster; False when not on it. The caller commits."""
    row = session.scalar(
        select(RosterMemberRow).where(
            RosterMemberRow.enterprise_id == enterprise_id, RosterMemberRow.member_ref == member_ref
        )
    )
    if row is None:
        return False
    session.delete(row)
    return True
