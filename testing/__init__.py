"""Test helpers for campaign-sync (not shipped in the wheel)."""
