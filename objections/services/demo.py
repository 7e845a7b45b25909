"""Demo data: two organisations with notices in kk/ru/en, staff of every role, objections in every state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from objections.models import Objection, Organization, ProcessingNotice, User
from objections.services import intake, review
from objections.services.users import create_user

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - a demo account's published password


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    organization: str | None
    password: str
    totp_secret: str


ORGANISATIONS = [
    {
        "slug": "dala-bank",
        "bin": "990140000999",
        "name_kk": "«Дала Банкі» АҚ",
        "name_ru": "АО «Дала Банк»",
        "name_en": "Dala Bank JSC",
        "contact_email": "objections@dala-bank.example.kz",
        "internal_target_hours": 48,
    },
    {
        "slug": "qorgan-insurance",
        "bin": "000240000046",
        "name_kk": "«Қорған Сақтандыру» АҚ",
        "name_ru": "АО «Корган Страхование»",
        "name_en": "Qorgan Insurance JSC",
        "contact_email": "objections@qorgan.example.kz",
        "internal_target_hours": None,
    },
]

NOTICES = {
    "dala-bank": {
        "slug": "credit-scoring",
        "title": {
            "kk": "Несиелік скоринг: несие беру туралы автоматтандырылған шешім",
            "ru": "Кредитный скоринг: автоматизированное решение о выдаче кредита",
            "en": "Credit scoring: automated decision on a loan application",
        },
        "decided_automatically": {
            "kk": "Тұтынушылық несие туралы өтінімді мақұлдау немесе бас тарту және несие лимиті.",
            "ru": "Одобрение или отказ по заявке на потребительский кредит и кредитный лимит.",
            "en": "Whether a consumer loan application is approved or refused, and the credit limit.",
        },
        "procedure": {
            "kk": "Скоринг моделі кредиттік тарих пен табыс деректері бойынша ұпай есептейді; "
            "шекті мәннен төмен ұпай бас тартуға әкеледі.",
            "ru": "Скоринговая модель рассчитывает балл по кредитной истории и данным о доходах; "
            "балл ниже порога ведёт к отказу.",
            "en": "A scoring model computes a score from the credit history and income data; a score below "
            "the threshold leads to a refusal.",
        },
        "data_used": {
            "kk": "Кредиттік бюродағы тарих, ЖСН, табыс туралы мәліметтер, ағымдағы қарыздар.",
            "ru": "История в кредитном бюро, ИИН, сведения о доходах, текущие долги.",
            "en": "Credit bureau history, IIN, income information, current debts.",
        },
        "consequences": {
            "kk": "Несиеден бас тарту немесе лимиттің төмендеуі.",
            "ru": "Отказ в кредите или снижение лимита.",
            "en": "A refused loan or a lower limit.",
        },
        "legal_basis": "consent",
        "legal_basis_reference": {
            "kk": "Өтінім беру кезінде берілген келісім",
            "ru": "Согласие, данное при подаче заявки",
            "en": "Consent given with the application",
        },
        "risk_class": "high",
        "autonomy_class": "semi_autonomous",
        "how_to_object": {
            "kk": "Осы сайтта қарсылық беріңіз; біз үш күн ішінде жауап береміз.",
            "ru": "Подайте возражение на этом сайте; мы ответим в течение трёх дней.",
            "en": "File an objection on this site; we answer within three days.",
        },
        "how_to_protect": {
            "kk": "Жауаппен келіспесеңіз, уәкілетті органға немесе сотқа шағымдана аласыз.",
            "ru": "Если вы не согласны с ответом, вы можете обратиться в уполномоченный орган или в суд.",
            "en": "If you disagree with the answer, you may turn to the authorized body or a court.",
        },
    },
    "qorgan-insurance": {
        "slug": "motor-pricing",
        "title": {
            "kk": "Автосақтандыру бағасын автоматты есептеу",
            "ru": "Автоматический расчёт цены автострахования",
            "en": "Automated pricing of motor insurance",
        },
        "decided_automatically": {
            "kk": "Көлік құралы иесінің сақтандыру сыйлықақысы.",
            "ru": "Размер страховой премии владельца транспортного средства.",
            "en": "The premium a vehicle owner pays.",
        },
        "procedure": {
            "kk": "Баға моделі жүргізу өтілі, сақтандыру жағдайлары және көлік деректері бойынша коэффициент "
            "есептейді.",
            "ru": "Ценовая модель рассчитывает коэффициент по стажу, страховым случаям и данным автомобиля.",
            "en": "A pricing model computes a factor from driving experience, past claims and vehicle data.",
        },
        "data_used": {
            "kk": "ЖСН, жүргізу өтілі, сақтандыру жағдайлары, көлік туралы мәліметтер.",
            "ru": "ИИН, стаж вождения, страховые случаи, сведения об автомобиле.",
            "en": "IIN, driving experience, past claims, vehicle information.",
        },
        "consequences": {
            "kk": "Жоғары сыйлықақы.",
            "ru": "Более высокая премия.",
            "en": "A higher premium.",
        },
        "legal_basis": "law",
        "legal_basis_reference": {
            "kk": "«Көлік құралдары иелерінің азаматтық-құқықтық жауапкершілігін міндетті сақтандыру туралы» Заң",
            "ru": "Закон «Об обязательном страховании гражданско-правовой ответственности владельцев "
            "транспортных средств»",
            "en": "Law on compulsory civil liability insurance of vehicle owners",
        },
        "risk_class": "medium",
        "autonomy_class": "assistive",
        "how_to_object": {
            "kk": "Осы сайтта қарсылық беріңіз немесе кеңсеге жазбаша өтініш әкеліңіз.",
            "ru": "Подайте возражение на этом сайте или принесите письменное заявление в офис.",
            "en": "File an objection on this site or bring a written one to our office.",
        },
        "how_to_protect": {
            "kk": "Уәкілетті органға немесе сотқа шағымдана аласыз.",
            "ru": "Вы можете обратиться в уполномоченный орган или в суд.",
            "en": "You may turn to the authorized body or a court.",
        },
    },
}

STAFF = [
    ("operator@dala-bank.example.kz", "operator", "dala-bank", "Aigerim Operator", "ru"),
    ("admin@dala-bank.example.kz", "org_admin", "dala-bank", "Nurlan Org-Admin", "kk"),
    ("operator@qorgan.example.kz", "operator", "qorgan-insurance", "Dana Operator", "en"),
    ("supervisor@authority.example.kz", "supervisor", None, "Serik Supervisor", "kk"),
    ("admin@objections.example.kz", "admin", None, "Admin", "en"),
]

# (organisation, days before now received, final state, language); decisions follow each path.
SUBJECTS = [
    ("dala-bank", 0.1, "received", "kk", "Асқар Бекұлы", "900101300017"),
    ("dala-bank", 1.5, "in_review", "ru", "Мария Иванова", "851231401238"),
    ("dala-bank", 2.6, "received", "en", "John Smith", "880315300511"),
    ("dala-bank", 9, "received", "kk", "Гүлнар Серікқызы", "900101300017"),
    ("dala-bank", 12, "answered_late", "ru", "Пётр Сидоров", "851231401238"),
    ("dala-bank", 20, "closed", "kk", "Ержан Төлеуұлы", "880315300511"),
    ("dala-bank", 4, "withdrawn", "en", "Anna Lee", "900101300017"),
    ("qorgan-insurance", 0.5, "received", "ru", "Ольга Ким", "851231401238"),
    ("qorgan-insurance", 1, "decided", "en", "Daniyar Akhmetov", "880315300511"),
    ("qorgan-insurance", 2, "answered", "kk", "Сәуле Маратқызы", "900101300017"),
    ("qorgan-insurance", 8, "in_review", "ru", "Игорь Пак", "851231401238"),
    ("qorgan-insurance", 15, "answered_late", "en", "Aliya Nurpeis", "880315300511"),
]

GROUNDS = {
    "kk": "Несиеден автоматты түрде бас тартылды, менің табысым туралы деректер ескерілмеді.",
    "ru": "Мне автоматически отказали, не учтя мои актуальные доходы.",
    "en": "I was refused automatically; my current income was not taken into account.",
}


def is_seeded(session: Session) -> bool:
    return session.scalar(select(Organization.id).where(Organization.slug == ORGANISATIONS[0]["slug"])) is not None


def seed_demo(session: Session, *, now: datetime, policy: str) -> bool:
    """Create the demo once; a second call changes nothing and returns False."""
    if is_seeded(session):
        return False
    for values in ORGANISATIONS:
        organization = Organization(**values)
        session.add(organization)
        session.flush()
        notice = ProcessingNotice(
            organization_id=organization.id,
            published=True,
            version=1,
            is_current=True,
            created_at=now,
            **NOTICES[values["slug"]],
        )
        session.add(notice)
    session.flush()
    users: dict[str, User] = {}
    for email, role, org, name, language in STAFF:
        users[email] = create_user(
            session,
            email=email,
            password=DEMO_PASSWORD,
            role=role,
            organization_slug=org,
            full_name=name,
            language=language,
        )
        users[email].totp_confirmed = True
    operators = {"dala-bank": users[STAFF[0][0]], "qorgan-insurance": users[STAFF[2][0]]}
    for index, (org, days_ago, state, language, name, iin) in enumerate(SUBJECTS):
        received_at = now - timedelta(days=days_ago)
        data = intake.ObjectionInput(
            organization=org,
            notice=NOTICES[org]["slug"],
            full_name=name,
            iin=iin,
            language=language,
            grounds=GROUNDS[language],
            remedies=["human_review", "explanation"],
            consent=True,
            email=f"subject{index + 1}@example.kz",
            decision_reference=f"APP-{2026_0000 + index}",
        )
        filed = intake.file_objection(session, data, channel="web", now=received_at, policy=policy)
        _advance(session, filed.objection, state, operators[org], received_at=received_at, now=now)
    session.flush()
    return True


def _advance(
    session: Session, objection: Objection, state: str, operator: User, *, received_at: datetime, now: datetime
) -> None:
    if state == "received":
        return
    if state == "withdrawn":
        review.withdraw(session, objection, now=received_at + timedelta(hours=5))
        return
    step = received_at + timedelta(hours=2)
    review.assign(session, objection, actor=operator, assignee=None, now=step)
    if state == "in_review":
        return
    late = state == "answered_late"
    decided_at = (objection.deadline_at + timedelta(hours=30)) if late else (received_at + timedelta(hours=20))
    decided_at = min(decided_at, now - timedelta(minutes=5))
    review.decide(
        session,
        objection,
        review.DecisionInput(
            outcome="upheld_decision_retaken",
            reasoning="The application was reviewed again by a credit officer with the income certificate.",
            actions_taken="Decision taken again by a credit officer; new result: approved with a lower limit.",
        ),
        actor=operator,
        now=decided_at,
    )
    if state == "decided":
        return
    review.answer_by_email(session, objection, actor=operator, now=decided_at + timedelta(minutes=2))
    if state == "closed":
        review.close_answered(session, objection, now=decided_at + timedelta(days=1))


def demo_logins(session: Session) -> list[DemoLogin]:
    logins = []
    for email, role, org, _name, _language in STAFF:
        user = session.scalar(select(User).where(User.email == email))
        if user is not None:
            logins.append(DemoLogin(email, role, org, DEMO_PASSWORD, user.totp_secret or ""))
    return logins
