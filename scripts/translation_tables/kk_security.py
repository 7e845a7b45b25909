"""Kazakh (kk) translations of the password and security messages (same terms as kk.py)."""

# ruff: noqa: E501 - a table of whole sentences: one entry per line keeps the source and its translation side by side

MESSAGES: dict[str | tuple[str, str], str | tuple[str, ...]] = {
    "This password is easy to guess (a common word, name, date, keyboard pattern or your own e-mail): add unrelated words or characters.": "Бұл құпиясөзді табу оңай (жиі кездесетін сөз, есім, күн, пернетақта үлгісі немесе өз электрондық поштаңыз): бір-біріне қатысы жоқ сөздер немесе таңбалар қосыңыз.",
    "Confirm": "Растау",
    "Confirm your password": "Құпиясөзіңізді растаңыз",
    "Nothing was done yet: confirm your password, then repeat the action.": "Әзірге ештеңе жасалмады: құпиясөзіңізді растап, әрекетті қайталаңыз.",
    "That is not your password, or the account is locked for a while.": "Бұл сіздің құпиясөзіңіз емес немесе тіркелгі біраз уақытқа бұғатталған.",
    "This action changes access to personal data or to accounts, so it needs your password from the last few minutes. Enter it to go on.": "Бұл әрекет дербес деректерге немесе тіркелгілерге қолжетімділікті өзгертеді, сондықтан соңғы бірнеше минут ішінде енгізілген құпиясөзді талап етеді. Жалғастыру үшін оны енгізіңіз.",
    "Your password": "Құпиясөзіңіз",
    "Case page": "Іс беті",
    "Every reading by staff, supervisors and connected systems is logged; opening the case again within ten minutes counts as the same reading.": "Қызметкерлердің, қадағалаушылардың және қосылған жүйелердің әр оқуы тіркеледі; істі он минут ішінде қайта ашу сол бір оқу болып саналады.",
    "Supervisor's masked view": "Қадағалаушының бүркемеленген көрінісі",
    "Through": "Қайдан",
    "Who opened this case": "Бұл істі кім ашты",
    "Who opened this case, newest first, in Astana time": "Бұл істі кім ашты, ең жаңасы басында, Астана уақытымен",
    "Attachment download": "Тіркемені жүктеп алу",
    "Only operators and organisation admins belong to an organisation.": "Ұйымға тек операторлар мен ұйым әкімшілері тиесілі.",
}
