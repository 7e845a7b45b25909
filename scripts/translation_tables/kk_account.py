"""Kazakh (kk) translations of the first sign-in with a one-time password and the confirmation steps (same terms as
kk.py)."""

# ruff: noqa: E501 - a table of whole sentences: one entry per line keeps the source and its translation side by side

MESSAGES: dict[str | tuple[str, str], str | tuple[str, ...]] = {
    "Choose a password of your own before you go on.": "Жалғастырмас бұрын өз құпиясөзіңізді таңдаңыз.",
    "Choose your own password": "Өз құпиясөзіңізді таңдаңыз",
    "You signed in with the one-time password you were given. Choose a password of your own: until you do, the rest of the desk stays closed to this account.": "Сіз берілген бір реттік құпиясөзбен кірдіңіз. Өз құпиясөзіңізді таңдаңыз: оны таңдағанға дейін жүйенің қалған бөлігі бұл тіркелгі үшін жабық.",
    "One-time password": "Бір реттік құпиясөз",
    "Choose a password other than the current one.": "Қазіргіден басқа құпиясөз таңдаңыз.",
    "This notice was withdrawn": "Бұл хабарлама кері қайтарылды",
    "%(organization)s took the notice “%(title)s” out of the register on %(day)s.": "%(organization)s «%(title)s» хабарламасын тізілімнен алып тастады (%(day)s).",
    "Objections already filed under it are considered as before. If an automated decision of this organisation concerns you, you can still object to it.": "Оған сілтеме жасап бұрын берілген қарсылықтар бұрынғыдай қаралады. Егер осы ұйымның автоматтандырылған шешімі сізге қатысты болса, оған әлі де қарсылық білдіре аласыз.",
    "Object to a decision of %(organization)s": "%(organization)s шешіміне қарсылық білдіру",
    "one-time password not yet replaced": "бір реттік құпиясөз әлі ауыстырылмаған",
    "Anchoring the audit chains": "Аудит тізбектерін бекіту",
    "Anonymising old objections": "Ескі қарсылықтарды иесіздендіру",
    "objections examined": "қаралған қарсылықтар",
    "reminders queued": "кезекке қойылған еске салғыштар",
    "breach notices queued": "кезекке қойылған мерзім бұзылуы туралы хабарламалар",
    "sent": "жіберілді",
    "to be retried": "қайта жіберіледі",
    "given up": "жіберу тоқтатылды",
    "taken over from a stopped dispatcher": "тоқтаған жөнелтушіден алынды",
    "waiting for the mail server settings": "пошта серверінің баптауларын күтуде",
    "day": "күн",
    "digests queued": "кезекке қойылған шолулар",
    "staff with nothing to report": "хабарлайтын ештеңесі жоқ қызметкерлер",
    "closed": "жабылды",
    "anchor": "бекіту нүктесі",
    "chains": "тізбектер",
    "anonymised": "иесіздендірілді",
}
