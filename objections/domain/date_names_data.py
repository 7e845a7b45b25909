"""Month and weekday names as dates are written in kk, ru and en, from Babel==2.18.0.

Written by scripts/date_names_snapshot.py: do not edit by hand; run the script after upgrading Babel.
"""

PACKAGE_VERSION = "2.18.0"

# Babel locale -> the months' names in the 'format' context, wide (January first): 'd MMMM'
MONTHS: dict[str, tuple[str, ...]] = {
    "kk_KZ": (
        "қаңтар",
        "ақпан",
        "наурыз",
        "сәуір",
        "мамыр",
        "маусым",
        "шілде",
        "тамыз",
        "қыркүйек",
        "қазан",
        "қараша",
        "желтоқсан",
    ),
    "ru_RU": (
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ),
    "en_GB": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

# Babel locale -> the weekdays' names, wide (Monday first): 'EEEE'
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "kk_KZ": ("дүйсенбі", "сейсенбі", "сәрсенбі", "бейсенбі", "жұма", "сенбі", "жексенбі"),
    "ru_RU": ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"),
    "en_GB": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
