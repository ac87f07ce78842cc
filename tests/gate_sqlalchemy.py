"""Two SQLAlchemy mapped classes for the classification gate's tests (tests/test_classify.py):
one classified, one with an unclassified column. Imported only when SQLAlchemy is installed."""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

import gdprkit as gk
from gdprkit.sqlalchemy import not_personal_column, pd_column

EMAIL = gk.Personal(category="contact.email", purposes=("contract",))


class Base(DeclarativeBase):
    """Not a model: the gate skips the declarative base."""


class MappedDone(Base):
    __tablename__ = "done"
    id: Mapped[int] = not_personal_column(primary_key=True, reason="row number")
    email: Mapped[Annotated[str, EMAIL]] = mapped_column(sa.String)


class MappedOpen(Base):
    __tablename__ = "open"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = pd_column(sa.String, category="contact.email", purposes=("crm",))
