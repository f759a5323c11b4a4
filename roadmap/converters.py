class IdConverter:
    """A database id: digits only, and short enough for a 64-bit column.

    Django's ``int`` converter accepts any length, and PostgreSQL answers an id past 2**63
    with an error (a 500) where the learner should simply get a 404.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
