"""The tables. Every datetime is UTC-aware; Telegram ids are 64-bit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Column, ForeignKey, Index, Integer, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

# Named constraints, so migrations can alter them on SQLite (batch mode) and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _when(*, nullable: bool = False, index: bool = False):  # type: ignore[no-untyped-def]
    return Field(default=None if nullable else ..., sa_type=UTCDateTime, nullable=nullable, index=index)


def _fk(target: str, *, nullable: bool = False, ondelete: str | None = None):  # type: ignore[no-untyped-def]
    return Field(
        default=None,
        sa_column_args=[ForeignKey(target, ondelete=ondelete)],
        sa_type=Integer,
        nullable=nullable,
        index=True,
    )


def _active_unique(name: str, *cols: str, when: str) -> Index:
    """A unique index over rows that are still active (partial index on both backends)."""
    return Index(name, *cols, unique=True, sqlite_where=text(when), postgresql_where=text(when))


ROOT_OFFICE_ID = 1  # the first office, created by migration 0009; a single-office database has only it


def _office():  # type: ignore[no-untyped-def]
    """The office a row belongs to (see `Office`)."""
    return Field(default=ROOT_OFFICE_ID, sa_column_args=[ForeignKey("offices.id")], sa_type=Integer, index=True)


class Office(SQLModel, table=True):
    """A leading group's office. Offices form a tree: a district's office reports to the city's.

    In its parent office a child office is a member unit like a department (`Department.unit_of`):
    it has a liaison, receives tasks and is one of the units of the parent's cycles."""

    __tablename__ = "offices"
    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, max_length=40, unique=True)
    name: str = Field(default="", max_length=200)
    short_name: str | None = Field(default=None, max_length=60)
    parent_id: int | None = Field(default=None, sa_column_args=[ForeignKey("offices.id")], sa_type=Integer,
                                  nullable=True, index=True)
    created_at: datetime = _when()


class Department(SQLModel, table=True):
    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("office_id", "name", name="uq_departments_office_name"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = _office()
    name: str = Field(max_length=120)
    created_at: datetime = _when()
    # A child office, as one member unit of its parent office (None for a department).
    unit_of: int | None = Field(default=None, sa_column_args=[ForeignKey("offices.id")], sa_type=Integer,
                                nullable=True, unique=True)


class DepartmentAlias(SQLModel, table=True):
    """Another name a department goes by (经信委 for 区经济信息委), from the org file."""

    __tablename__ = "department_aliases"
    __table_args__ = (UniqueConstraint("office_id", "alias", name="uq_department_aliases_office_alias"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = _office()
    department_id: int = Field(
        sa_column=Column(Integer, ForeignKey("departments.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    alias: str = Field(max_length=120)


class WorkingGroup(SQLModel, table=True):
    __tablename__ = "working_groups"
    __table_args__ = (UniqueConstraint("office_id", "name", name="uq_working_groups_office_name"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = _office()
    name: str = Field(max_length=120)
    created_at: datetime = _when()


class GroupMember(SQLModel, table=True):
    __tablename__ = "group_members"
    group_id: int = Field(sa_column=Column(Integer, ForeignKey("working_groups.id", ondelete="CASCADE"), primary_key=True))
    department_id: int = Field(sa_column=Column(Integer, ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True))
    is_lead: bool = False


class OrgMeta(SQLModel, table=True):
    """Small facts of one office from its org file: the office's name, the reporting rule (JSON)."""

    __tablename__ = "org_meta"
    office_id: int = Field(default=ROOT_OFFICE_ID, sa_column=Column(Integer, ForeignKey("offices.id"), primary_key=True))
    key: str = Field(primary_key=True, max_length=40)
    value: str


class Person(SQLModel, table=True):
    """Anyone who has talked to the bot."""

    __tablename__ = "people"
    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=BigInteger, unique=True)
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    full_name: str = Field(default="", max_length=200)
    username: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=5)
    created_at: datetime = _when()
    blocked_at: datetime | None = _when(nullable=True)
    office_id: int | None = Field(default=None, sa_column_args=[ForeignKey("offices.id")], sa_type=Integer,
                                  nullable=True)  # the office they chose to act in (/office)


class RoleGrant(SQLModel, table=True):
    """An admin or director role given to a Telegram user id (who may not have written yet), in one
    office (it reaches the offices below it too)."""

    __tablename__ = "role_grants"
    __table_args__ = (
        _active_unique("uq_role_grants_active", "telegram_id", "role", "office_id", when="revoked_at IS NULL"),
    )
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = _office()
    telegram_id: int = Field(sa_type=BigInteger, index=True)
    role: str = Field(max_length=16)
    granted_by: int | None = Field(default=None, sa_type=BigInteger)
    granted_at: datetime = _when()
    revoked_by: int | None = Field(default=None, sa_type=BigInteger)
    revoked_at: datetime | None = _when(nullable=True)


class InviteCode(SQLModel, table=True):
    """A one-time registration code; only its SHA-256 digest is kept."""

    __tablename__ = "invite_codes"
    id: int | None = Field(default=None, primary_key=True)
    code_digest: str = Field(max_length=64, unique=True)
    department_id: int = _fk("departments.id")
    kind: str = Field(default="primary", max_length=10)
    created_by: int = Field(sa_type=BigInteger)
    created_at: datetime = _when()
    expires_at: datetime = _when()
    used_at: datetime | None = _when(nullable=True)
    used_by: int | None = _fk("people.id", nullable=True)
    revoked_at: datetime | None = _when(nullable=True)


class LiaisonAppointment(SQLModel, table=True):
    """Who served as a department's liaison, and when. Ended rows are the history."""

    __tablename__ = "liaison_appointments"
    __table_args__ = (
        _active_unique("uq_appointments_active_kind", "department_id", "kind", when="ended_at IS NULL"),
        _active_unique("uq_appointments_active_person", "person_id", when="ended_at IS NULL"),
    )
    id: int | None = Field(default=None, primary_key=True)
    department_id: int = _fk("departments.id")
    person_id: int = _fk("people.id")
    kind: str = Field(default="primary", max_length=10)
    started_at: datetime = _when()
    ended_at: datetime | None = _when(nullable=True)
    ended_reason: str | None = Field(default=None, max_length=20)
    invite_id: int | None = _fk("invite_codes.id", nullable=True)


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = _office()
    at: datetime = _when(index=True)
    actor_id: int | None = Field(default=None, sa_type=BigInteger, index=True)
    action: str = Field(max_length=40)
    target: str | None = Field(default=None, max_length=200)
    outcome: str = Field(default="ok", max_length=10)
    detail: str | None = Field(default=None, max_length=500)


class InboundMessage(SQLModel, table=True):
    """Every message a user sends that the bot could not attach to anything else is kept here.

    Keyed by (chat, message id), so a redelivered update is stored once.
    """

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("chat_id", "message_id", name="uq_inbound_chat_message"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = _office()  # the sender's office when it came (their department's)
    chat_id: int = Field(sa_type=BigInteger)
    message_id: int = Field(sa_type=BigInteger)
    sender_id: int = Field(sa_type=BigInteger, index=True)
    kind: str = Field(max_length=16)
    text: str | None = None
    file_id: str | None = Field(default=None, max_length=200)
    file_name: str | None = Field(default=None, max_length=255)
    file_size: int | None = Field(default=None, sa_type=BigInteger)
    mime_type: str | None = Field(default=None, max_length=100)
    received_at: datetime = _when()
    # Where it was filed afterwards, by one press of a button (the liaison's own, or an admin's in /inbox):
    # 'task' (filed_ref: the task target), 'report' (filed_ref: the reporting cycle) or 'kept' on purpose.
    # Unfiled and kept-on-purpose messages are what /inbox lists.
    filed_at: datetime | None = _when(nullable=True)
    filed_by: int | None = Field(default=None, sa_type=BigInteger)
    filed_as: str | None = Field(default=None, max_length=8)
    filed_ref: int | None = None


class OutboxMessage(SQLModel, table=True):
    """A message the bot sends on its own initiative, written before it is sent.

    `dedup_key` makes queuing idempotent; `status` moves pending → sending → sent (or blocked,
    failed). A row a crash left in flight is sent again after its lease (`resent` counts it);
    `unconfirmed` marks such rows of releases before 0011, which were not."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at", "id"),
        Index("ix_outbox_chat_message", "chat_id", "message_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    dedup_key: str = Field(max_length=200, unique=True)
    chat_id: int = Field(sa_type=BigInteger)
    kind: str = Field(default="text", max_length=10)
    payload: str
    attachment: bytes | None = Field(default=None, sa_type=LargeBinary)
    batch: str | None = Field(default=None, max_length=60, index=True)
    # What the message is about (e.g. a task target), so a reply to it can be attached.
    ref_kind: str | None = Field(default=None, max_length=16)
    ref_id: int | None = None
    status: str = Field(default="pending", max_length=12)
    attempts: int = 0
    # times a crash left the row in flight and it was sent again after its lease: it may have
    # arrived that many times more (at least once, never lost; a broadcast's report counts them)
    resent: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    next_attempt_at: datetime | None = _when(nullable=True)
    claimed_at: datetime | None = _when(nullable=True)
    claimed_by: str | None = Field(default=None, max_length=80)
    sent_at: datetime | None = _when(nullable=True)
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _when()


class Broadcast(SQLModel, table=True):
    """An admin's /broadcast: its rows in the outbox carry `batch = broadcast:<id>`."""

    __tablename__ = "broadcasts"
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = _office()
    created_by: int = Field(sa_type=BigInteger)
    created_at: datetime = _when()
    text: str
    total: int = 0
    reported_at: datetime | None = _when(nullable=True)


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already handled, so a redelivered update is processed once."""

    __tablename__ = "processed_updates"
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime = _when(index=True)


class Task(SQLModel, table=True):
    """An assignment sheet (交办单), numbered #id."""

    __tablename__ = "tasks"
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = _office()
    # A task a child office forwarded (转办) from its part in the parent office's task.
    parent_target_id: int | None = Field(
        default=None, sa_column_args=[ForeignKey("task_targets.id", use_alter=True)], sa_type=Integer, nullable=True,
        index=True)
    title: str = Field(max_length=200)
    details: str | None = None
    due_at: datetime = _when(index=True)
    created_by: int = Field(sa_type=BigInteger)
    created_at: datetime = _when()
    closed_at: datetime | None = _when(nullable=True)
    closed_by: int | None = Field(default=None, sa_type=BigInteger)
    attachment_file_id: str | None = Field(default=None, max_length=200)
    attachment_name: str | None = Field(default=None, max_length=255)
    attachment_kind: str | None = Field(default=None, max_length=16)
    escalated_at: datetime | None = _when(nullable=True)  # the morning round reported it to the directors
    # An agreed item (议定事项) of a meeting's minutes, confirmed as this task.
    meeting_id: int | None = Field(default=None, sa_column_args=[ForeignKey("meetings.id")], sa_type=Integer,
                                   nullable=True, index=True)
    # 长期坚持: no final due date; `due_at` is the month's checkpoint for its progress, moved to the
    # next month's end when it passes.
    standing: bool = Field(default=False, sa_column_kwargs={"server_default": text("false")})


class Meeting(SQLModel, table=True):
    """A meeting of the leading group or its office (全体会议、专题会议、调度会议) and its minutes.

    `state`: `minutes` while the office sends the minutes, `proposed` while it confirms the agreed
    items found in them (`proposal`, JSON: the items as they stand, with dropped ones marked),
    `confirmed` once they are tasks (`Task.meeting_id`), `cancelled`."""

    __tablename__ = "meetings"
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = _office()
    title: str = Field(max_length=200)
    held_on: date = Field(sa_type=Date)
    created_by: int = Field(sa_type=BigInteger)
    created_at: datetime = _when()
    state: str = Field(default="minutes", max_length=16)
    minutes: str | None = None  # the minutes as received (text, or the document's text)
    minutes_file_name: str | None = Field(default=None, max_length=255)
    proposal: str | None = None
    confirmed_at: datetime | None = _when(nullable=True)


class TaskTarget(SQLModel, table=True):
    """One department's part in a task: its status, its own due date after an extension."""

    __tablename__ = "task_targets"
    __table_args__ = (UniqueConstraint("task_id", "department_id", name="uq_task_targets_task_department"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = _fk("tasks.id")
    department_id: int = _fk("departments.id")
    is_lead: bool = False
    status: str = Field(default="pending", max_length=16)
    due_at: datetime | None = _when(nullable=True)  # set when an extension was granted
    notified_at: datetime | None = _when(nullable=True)
    acknowledged_at: datetime | None = _when(nullable=True)
    done_at: datetime | None = _when(nullable=True)
    extension_until: datetime | None = _when(nullable=True)  # requested, awaiting a decision
    extension_reason: str | None = Field(default=None, max_length=500)
    ack_nudged_at: datetime | None = _when(nullable=True)  # the morning round asked to acknowledge it


class TaskEvent(SQLModel, table=True):
    """Every change to a task or a department's part in it: who, when, what."""

    __tablename__ = "task_events"
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = _fk("tasks.id")
    target_id: int | None = _fk("task_targets.id", nullable=True)
    actor_id: int | None = Field(default=None, sa_type=BigInteger)
    at: datetime = _when()
    kind: str = Field(max_length=24)
    note: str | None = Field(default=None, max_length=500)


class TaskProgress(SQLModel, table=True):
    """A progress report from a department: text and/or a file. Keyed by its Telegram message."""

    __tablename__ = "task_progress"
    __table_args__ = (UniqueConstraint("chat_id", "message_id", name="uq_task_progress_chat_message"),)
    id: int | None = Field(default=None, primary_key=True)
    target_id: int = _fk("task_targets.id")
    sender_id: int = Field(sa_type=BigInteger)
    at: datetime = _when()
    text: str | None = None
    kind: str = Field(default="text", max_length=16)
    file_id: str | None = Field(default=None, max_length=200)
    file_name: str | None = Field(default=None, max_length=255)
    file_size: int | None = Field(default=None, sa_type=BigInteger)
    mime_type: str | None = Field(default=None, max_length=100)
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    message_id: int | None = Field(default=None, sa_type=BigInteger)


class InboundUpdate(SQLModel, table=True):
    """A webhook update, stored before Telegram is answered 200, so that a process dying before
    handling it loses nothing: once its lease runs out another process takes it over. `done_at`
    is set when it has been handled."""

    __tablename__ = "inbound_updates"
    __table_args__ = (Index("ix_inbound_updates_open", "done_at", "lease_until"),)
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    payload: str
    received_at: datetime = _when()
    lease_until: datetime = _when()
    owner: str | None = Field(default=None, max_length=80)
    attempts: int = 1
    done_at: datetime | None = _when(nullable=True)


class Dialogue(SQLModel, table=True):
    """A person's step-by-step dialogue (the `/assign` dialogue): its step and draft as JSON, so any
    process can take the next message. One per person; it ends when `expires_at` passes idle."""

    __tablename__ = "dialogues"
    telegram_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_id: int = Field(sa_type=BigInteger)
    kind: str = Field(max_length=24)
    step: str = Field(max_length=16)
    data: str = "{}"
    updated_at: datetime = _when()
    expires_at: datetime = _when(index=True)


class PendingInput(SQLModel, table=True):
    """What the bot expects as a person's next message (after a button such as "report progress")."""

    __tablename__ = "pending_inputs"
    telegram_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    kind: str = Field(max_length=24)
    ref_id: int | None = None
    created_at: datetime = _when()


class ReportingCycle(SQLModel, table=True):
    """One quarter's reporting round (e.g. 2026-Q4), opened by the tick."""

    __tablename__ = "reporting_cycles"
    __table_args__ = (UniqueConstraint("office_id", "label", name="uq_reporting_cycles_office_label"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = _office()
    label: str = Field(max_length=10)
    year: int
    quarter: int
    opens_at: datetime = _when()
    deadline_at: datetime = _when()
    expected_indicators: str | None = None  # JSON list of [name, unit]
    created_at: datetime = _when()


class CycleMember(SQLModel, table=True):
    """A department expected to report in a cycle (those existing when it opened, and later ones)."""

    __tablename__ = "cycle_members"
    cycle_id: int = Field(sa_column=Column(Integer, ForeignKey("reporting_cycles.id", ondelete="CASCADE"), primary_key=True))
    department_id: int = Field(sa_column=Column(Integer, ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True))
    joined_at: datetime = _when()


class Report(SQLModel, table=True):
    """A department's submission in a cycle. A later one supersedes it; every version is kept."""

    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("cycle_id", "department_id", "version", name="uq_reports_version"),)
    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = _fk("reporting_cycles.id")
    department_id: int = _fk("departments.id")
    version: int
    submitted_by: int = Field(sa_type=BigInteger)
    submitted_at: datetime = _when()
    late: bool = False
    text: str = ""


class ReportIndicator(SQLModel, table=True):
    __tablename__ = "report_indicators"
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = _fk("reports.id")
    name: str = Field(max_length=100)
    value: str = Field(max_length=40)  # a Decimal, kept exact as text
    unit: str = Field(max_length=20)
    raw: str = Field(max_length=300)


class ReportDraft(SQLModel, table=True):
    """What a liaison has sent for their report but not yet confirmed."""

    __tablename__ = "report_drafts"
    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=BigInteger, unique=True)
    cycle_id: int = _fk("reporting_cycles.id")
    department_id: int = _fk("departments.id")
    text: str = ""
    created_at: datetime = _when()


class ReportFile(SQLModel, table=True):
    """A photo or document sent with a report (on its draft until confirmed)."""

    __tablename__ = "report_files"
    id: int | None = Field(default=None, primary_key=True)
    draft_id: int | None = Field(default=None, sa_column_args=[ForeignKey("report_drafts.id", ondelete="SET NULL")],
                                 sa_type=Integer, nullable=True, index=True)
    report_id: int | None = _fk("reports.id", nullable=True)
    kind: str = Field(max_length=16)
    file_id: str = Field(max_length=200)
    file_name: str | None = Field(default=None, max_length=255)
    file_size: int | None = Field(default=None, sa_type=BigInteger)
    mime_type: str | None = Field(default=None, max_length=100)
    chat_id: int | None = Field(default=None, sa_type=BigInteger)
    message_id: int | None = Field(default=None, sa_type=BigInteger)


class DigestRun(SQLModel, table=True):
    """A scheduled digest that was sent: its period and the numbers the next one compares with."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("office_id", "kind", "label", name="uq_digest_runs_office_kind_label"),)
    id: int | None = Field(default=None, primary_key=True)
    office_id: int = _office()
    kind: str = Field(max_length=10)
    label: str = Field(max_length=12)
    created_at: datetime = _when()
    snapshot: str  # JSON


class SchedulerMark(SQLModel, table=True):
    """When one of the tick's steps is next due (bot/rules/schedule.py), and the clock reading it
    was computed at."""

    __tablename__ = "scheduler_marks"
    name: str = Field(primary_key=True, max_length=40)
    due_at: datetime = _when()
    computed_at: datetime = _when()
