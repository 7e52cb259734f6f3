"""Typed records: one class per kind (SPEC v1), custom field types in :mod:`.fields`."""

from .fields import Level, Status, tel_uri
from .records import KINDS, Activity, Case, Casebook, Person, Project, Record, Station

__all__ = ["KINDS", "Activity", "Case", "Casebook", "Level", "Person", "Project", "Record",
           "Station", "Status", "tel_uri"]
