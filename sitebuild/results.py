"""Placeholder until its issue lands."""


def register_macros(env):
    pass
