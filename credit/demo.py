def seed_demo_credit(**kwargs):
    return {}
