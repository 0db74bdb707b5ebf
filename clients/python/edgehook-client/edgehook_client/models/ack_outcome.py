from enum import StrEnum

class AckOutcome(StrEnum):
    ACKNOWLEDGED = "acknowledged"
    UNCONFIRMED = "unconfirmed"

    def __str__(self) -> str:
        return str(self.value)
