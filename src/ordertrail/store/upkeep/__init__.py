"""Keeping a shop's data: backups, bulk export, repairs, a customer's data read out or erased."""
