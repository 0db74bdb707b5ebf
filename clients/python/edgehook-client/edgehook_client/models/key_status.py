from enum import StrEnum

class KeyStatus(StrEnum):
    CURRENT = "current"
    RETIRING = "retiring"

    def __str__(self) -> str:
        return str(self.value)
