"""Russian (ru) translations of the first sign-in with a one-time password and the confirmation steps (same terms
as ru.py)."""

# ruff: noqa: E501 - a table of whole sentences: one entry per line keeps the source and its translation side by side

MESSAGES: dict[str | tuple[str, str], str | tuple[str, ...]] = {
    "Choose a password of your own before you go on.": "Прежде чем продолжить, выберите собственный пароль.",
    "Choose your own password": "Выберите собственный пароль",
    "You signed in with the one-time password you were given. Choose a password of your own: until you do, the rest of the desk stays closed to this account.": "Вы вошли с выданным вам одноразовым паролем. Выберите собственный пароль: до тех пор остальная часть системы для этой учётной записи закрыта.",
    "One-time password": "Одноразовый пароль",
    "Choose a password other than the current one.": "Выберите пароль, отличный от текущего.",
    "This notice was withdrawn": "Это уведомление отозвано",
    "%(organization)s took the notice “%(title)s” out of the register on %(day)s.": "%(day)s организация %(organization)s исключила уведомление «%(title)s» из реестра.",
    "Objections already filed under it are considered as before. If an automated decision of this organisation concerns you, you can still object to it.": "Уже поданные по нему возражения рассматриваются как прежде. Если автоматизированное решение этой организации касается вас, вы по-прежнему можете его оспорить.",
    "Object to a decision of %(organization)s": "Возразить против решения организации %(organization)s",
    "one-time password not yet replaced": "одноразовый пароль ещё не заменён",
    "Anchoring the audit chains": "Закрепление цепочек аудита",
    "Anonymising old objections": "Обезличивание старых возражений",
    "objections examined": "проверено возражений",
    "reminders queued": "напоминаний в очереди",
    "breach notices queued": "уведомлений о нарушении срока в очереди",
    "sent": "отправлено",
    "to be retried": "будет повторено",
    "given up": "отправка прекращена",
    "taken over from a stopped dispatcher": "перехвачено у остановившегося отправителя",
    "waiting for the mail server settings": "ожидают настроек почтового сервера",
    "day": "день",
    "digests queued": "сводок в очереди",
    "staff with nothing to report": "сотрудников без новостей",
    "closed": "закрыто",
    "anchor": "точка закрепления",
    "chains": "цепочек",
    "anonymised": "обезличено",
}
