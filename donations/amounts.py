"""Amounts of đồng are read in `core.amounts` (`parse_vnd`, `VndField`), where
campaigns, below donations, can use them too; these names stay importable here."""

from core.amounts import MAX_DIGITS, MAX_LENGTH, AmountError, VndField, parse_vnd

__all__ = ["MAX_DIGITS", "MAX_LENGTH", "AmountError", "VndField", "parse_vnd"]
