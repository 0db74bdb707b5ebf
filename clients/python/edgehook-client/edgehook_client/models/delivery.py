from enum import StrEnum

class Delivery(StrEnum):
    POLL = "poll"
    PUSH = "push"

    def __str__(self) -> str:
        return str(self.value)
