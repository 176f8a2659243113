"""The trading status panel (交易现状): placeholder until the panel is written."""


def section(customer, user):
    return {}
