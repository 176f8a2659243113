"""What the access app contributes through the archive registry: its part of the demo archive."""

from archive.registry import DemoStep, TrailSource, registry

from .models import AccessRequest


def _demo(**kwargs):
    from .demo import seed_demo_access

    return seed_demo_access(**kwargs)


def register():
    registry.register_demo_step(DemoStep("access", _demo, order=90))
    # Requests to read a customer and their answers belong to that customer's timeline.
    registry.register_trail(TrailSource(AccessRequest))
