from enum import StrEnum

class Priority(StrEnum):
    BULK = "bulk"
    HIGH = "high"
    STANDARD = "standard"

    def __str__(self) -> str:
        return str(self.value)
