"""Russian (ru) translations of the password and security messages (same terms as ru.py)."""

# ruff: noqa: E501 - a table of whole sentences: one entry per line keeps the source and its translation side by side

MESSAGES: dict[str | tuple[str, str], str | tuple[str, ...]] = {
    "This password is easy to guess (a common word, name, date, keyboard pattern or your own e-mail): add unrelated words or characters.": "Этот пароль легко подобрать (распространённое слово, имя, дата, клавиатурная последовательность или ваш собственный адрес электронной почты): добавьте не связанные между собой слова или символы.",
}
