"""Organisations and their versioned automated-processing notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from objections.domain.notices import AUTONOMY_CLASSES, LEGAL_BASES, RISK_CLASSES, TEXT_FIELDS, in_language
from objections.models.base import Base, UTCDateTime, utc_now

__all__ = ["AUTONOMY_CLASSES", "LEGAL_BASES", "NOTICE_TEXT_FIELDS", "RISK_CLASSES", "Organization", "ProcessingNotice"]

# The notice's classes and text fields are the domain's (objections/domain/notices.py), re-exported for the models'
# users.
NOTICE_TEXT_FIELDS = TEXT_FIELDS


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    bin: Mapped[str] = mapped_column(String(12), unique=True)
    name_kk: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    contact_email: Mapped[str] = mapped_column(String(254))
    internal_target_hours: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    notices: Mapped[list[ProcessingNotice]] = relationship(back_populates="organization")

    def name(self, language: str) -> str:
        return getattr(self, f"name_{language}", None) or self.name_en


class ProcessingNotice(Base):
    """One version of an organisation's Art. 19-1(2) explanation; editing a published one adds a version."""

    __tablename__ = "processing_notices"
    __table_args__ = (UniqueConstraint("organization_id", "slug", "version", name="uq_notice_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[dict] = mapped_column(JSON)
    decided_automatically: Mapped[dict] = mapped_column(JSON)
    procedure: Mapped[dict] = mapped_column(JSON)
    data_used: Mapped[dict] = mapped_column(JSON)
    consequences: Mapped[dict] = mapped_column(JSON)
    legal_basis: Mapped[str] = mapped_column(String(16))
    legal_basis_reference: Mapped[dict] = mapped_column(JSON)
    risk_class: Mapped[str] = mapped_column(String(16))
    autonomy_class: Mapped[str] = mapped_column(String(32))
    how_to_object: Mapped[dict] = mapped_column(JSON)
    how_to_protect: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    organization: Mapped[Organization] = relationship(back_populates="notices")

    def text(self, field: str, language: str) -> str:
        return in_language(getattr(self, field), language)
