"""Hardening: bad input, faults and security, each a fast test against the real stack."""
