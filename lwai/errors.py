"""Expected errors: the CLI prints them as one line and exits with status 2."""


class LwaiError(Exception):
    """An error in the user's input (model, config, arguments), not a bug in lwai.

    The message reads ``path: error: what went wrong`` plus, when given, one sentence
    on what to change.
    """

    def __init__(self, where: str, what: str, hint: str = ""):
        self.where = str(where)
        self.what = what
        self.hint = hint
        super().__init__(self.format())

    def format(self) -> str:
        text = f"{self.where}: error: {self.what}"
        return f"{text}. {self.hint}" if self.hint else text
