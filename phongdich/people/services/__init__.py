"""Writes on people: registration with matching, updates, referrals, merge.

A package split by sub-domain (one module each); every public name is re-exported here, so
callers keep importing from `phongdich.people.services`.
"""

from .matching import Candidate, MatchScope, match_lock_keys, person_candidates
from .merge import person_merge
from .referrals import referral_resolve
from .registration import (
    EDITABLE_FIELDS,
    person_register,
    person_register_within,
    person_update,
)

__all__ = [
    "EDITABLE_FIELDS",
    "Candidate",
    "MatchScope",
    "match_lock_keys",
    "person_candidates",
    "person_merge",
    "person_register",
    "person_register_within",
    "person_update",
    "referral_resolve",
]
