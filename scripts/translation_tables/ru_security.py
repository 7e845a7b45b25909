"""Russian (ru) translations of the password and security messages (same terms as ru.py)."""

# ruff: noqa: E501 - a table of whole sentences: one entry per line keeps the source and its translation side by side

MESSAGES: dict[str | tuple[str, str], str | tuple[str, ...]] = {
    "This password is easy to guess (a common word, name, date, keyboard pattern or your own e-mail): add unrelated words or characters.": "Этот пароль легко подобрать (распространённое слово, имя, дата, клавиатурная последовательность или ваш собственный адрес электронной почты): добавьте не связанные между собой слова или символы.",
    "Confirm": "Подтвердить",
    "Confirm your password": "Подтвердите пароль",
    "Nothing was done yet: confirm your password, then repeat the action.": "Пока ничего не сделано: подтвердите пароль и повторите действие.",
    "That is not your password, or the account is locked for a while.": "Это не ваш пароль, или учётная запись на время заблокирована.",
    "This action changes access to personal data or to accounts, so it needs your password from the last few minutes. Enter it to go on.": "Это действие меняет доступ к персональным данным или к учётным записям, поэтому нужен пароль, введённый в последние несколько минут. Введите его, чтобы продолжить.",
    "Your password": "Ваш пароль",
    "Case page": "Страница дела",
    "Every reading by staff, supervisors and connected systems is logged; opening the case again within ten minutes counts as the same reading.": "Каждый просмотр сотрудниками, надзорным органом и подключёнными системами записывается; повторное открытие дела в течение десяти минут считается тем же просмотром.",
    "Supervisor's masked view": "Обезличенный просмотр надзорного органа",
    "Through": "Через",
    "Who opened this case": "Кто открывал это дело",
    "Who opened this case, newest first, in Astana time": "Кто открывал это дело, сначала последние, по времени Астаны",
    "Attachment download": "Скачивание вложения",
    "Only operators and organisation admins belong to an organisation.": "К организации относятся только операторы и администраторы организации.",
}
