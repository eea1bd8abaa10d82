"""Refusals: an operator request the core will not carry out; the message says why."""


class Refused(ValueError):
    """Base of every refusal the contract raises."""


class OrderRefused(Refused):
    """An order request the core will not send."""


class ControlRefused(Refused):
    """A strategy or trading-state operation that is not allowed now."""


class CloseError(Refused):
    """A close that cannot be previewed or confirmed."""


class CashRefused(Refused):
    """A deposit or withdrawal that cannot be made (a live broker's account, an amount
    above what is available): nothing moved."""


class AuditUnavailable(Refused):
    """The audit trail cannot be written, so the command was not carried out."""


class CoreUnreachable(AuditUnavailable):
    """The trading core could not be asked (split deployment: the bus or the core is
    down, or it did not answer in time): a command was not carried out (one not taken
    up by its deadline is refused, never run late), and answers HTTP 503 like any
    command the core could not record."""
