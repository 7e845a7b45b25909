"""SQLAlchemy mappings, one module per aggregate."""

from objections.models.audit import AuditAnchor, AuditEvent, JobRun, SchedulerLock
from objections.models.base import Base
from objections.models.calendar import CalendarOverride
from objections.models.notification import Notification
from objections.models.objection import (
    AnswerTemplate,
    Attachment,
    Clarification,
    IdempotencyRecord,
    InternalNote,
    Objection,
    ObjectionEvent,
    ReferenceCounter,
)
from objections.models.organization import Organization, ProcessingNotice
from objections.models.user import ApiToken, RecoveryCode, User

__all__ = [
    "AnswerTemplate",
    "ApiToken",
    "Attachment",
    "AuditAnchor",
    "AuditEvent",
    "Base",
    "CalendarOverride",
    "Clarification",
    "IdempotencyRecord",
    "InternalNote",
    "JobRun",
    "Notification",
    "Objection",
    "ObjectionEvent",
    "Organization",
    "ProcessingNotice",
    "RecoveryCode",
    "ReferenceCounter",
    "SchedulerLock",
    "User",
]
