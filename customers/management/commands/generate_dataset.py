"""``manage.py generate_dataset``: a large, realistic archive for benchmarks and load tests, written in bulk.

By default 100,000 customers kept by 200 account managers, each card with its contacts, interactions and
change trail, rights granted as ``customers.permissions`` grants them (owner and co-owners view and change;
each region's clerks view that region through a group), cards filed, pending or returned through filing
requests, and whatever the category apps add through their ``archive.registry.DatasetStep`` (orders and their
lines, receivables and payments). Everything is written with ``bulk_create`` in batches, in one transaction,
from a fixed random seed: the same arguments give the same archive.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter as Tally
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from archive import filing
from archive.choices import FilingStatus, Grade
from archive.models import Counter, FilingRequest
from archive.registry import registry
from archive.roles import ACCOUNT_MANAGER, ARCHIVIST, CLERK, SALES_DIRECTOR
from customers import demo_data as vocab
from customers.dataset import (
    DatasetContext,
    GeneratedCustomer,
    bulk_insert,
    historical_row,
    insert_history,
)
from customers.models import (
    Contact,
    CoOwner,
    Customer,
    CustomerGroupObjectPermission,
    CustomerUserObjectPermission,
    Interaction,
    Region,
)
from customers.permissions import KEEPER_ACTIONS, OBJECT_PERMISSION, Action

User = get_user_model()

SEED = 2026
# Every this-many-th customer is a large key account with a long record: the card and history pages are
# measured on one of them.
LARGE_EVERY = 1000
LIFECYCLES = (("current", 60), ("potential", 25), ("past", 15))
TIERS = (("key", 10), ("general", 60), ("sporadic", 30))
# A director decides requests daily: a few hundred wait in the inbox at any time, not thousands.
STATUSES = (
    (FilingStatus.FILED, 800),
    (FilingStatus.DRAFT, 175),
    (FilingStatus.PENDING, 5),
    (FilingStatus.RETURNED, 20),
)
SALES_GRADES = ((Grade.A, 10), (Grade.B, 20), (Grade.C, 45), (Grade.D, 25))
ORGANISATION_FORMS = {
    "co": ("limited", "limited", "limited", "joint_stock"),
    "ib": ("individual_business",),
    "gov": ("institution",),
    "inst": ("institution",),
    "coop": ("other",),
}
NAME_SUFFIXES = {
    "co": ("有限公司", "有限公司", "股份有限公司", "科技有限公司", "贸易有限公司"),
    "ib": ("经营部", "商行", "五金店"),
    "gov": ("管理处", "服务中心"),
    "inst": ("管理中心", "研究院"),
    "coop": ("专业合作社",),
}
RETURN_COMMENT = "营业执照复印件不清晰，请补充后重新提交"
SUBMIT_NOTE = "档案卡已按客户资料核对，申请入档"


def _person(rng: random.Random) -> tuple[str, str]:
    """A Chinese name and its gender; among 100,000 customers names repeat, as they do in life."""
    gender = rng.choice("mmf")
    return rng.choice(vocab.SURNAMES)[0] + rng.choice(vocab.GIVEN_NAMES[gender])[0], gender


def _weighted(rng: random.Random, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


class Command(BaseCommand):
    help = (
        "Generate a large archive for benchmarks: N customers over M account managers with contacts, "
        "interactions, rights, filing requests and change trail, and the category apps' records, in bulk. "
        "Refuses a database that already holds customers unless --append is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=100_000, help="how many customers (default 100,000)")
        parser.add_argument("--managers", type=int, default=200, help="how many account managers (default 200)")
        parser.add_argument("--seed", type=int, default=SEED, help="random seed (same seed, same archive)")
        parser.add_argument("--batch-size", type=int, default=2000, help="rows per INSERT (default 2,000)")
        parser.add_argument(
            "--append",
            action="store_true",
            help="add the customers beside those already in the database; existing users of the same names "
            "are reused, credit codes and names stay unique",
        )

    def handle(self, *args, customers: int, managers: int, seed: int, batch_size: int, append: bool, **options):
        if customers < 1 or managers < 1:
            raise CommandError("--customers and --managers must be at least 1.")
        existing = Customer.all_objects.count()
        if existing and not append:
            raise CommandError(
                f"The database already holds {existing} customers. Generate into an empty database (set "
                "ARCHIVE_DATA_DIR or DATABASE_URL), or pass --append to add the new customers beside them."
            )
        started = time.monotonic()
        verbose = options["verbosity"] > 0
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            generator = DatasetGenerator(
                customers=customers,
                managers=managers,
                seed=seed,
                batch_size=batch_size,
                log=self.stdout.write if verbose else (lambda message: None),
            )
            counts = generator.run()
        generator.step("planner statistics (VACUUM ANALYZE)", generator.analyze)
        elapsed = time.monotonic() - started
        made = ", ".join(f"{n:,} {what}" for what, n in counts.items() if n)
        self.stdout.write(f"Created {made}.")
        self.stdout.write(
            self.style.SUCCESS(f"Dataset of {customers:,} customers ready in {elapsed:.1f} s ({connection.vendor}).")
        )


class DatasetGenerator:
    """Writes the dataset step by step, timing each; category steps follow once the customers exist."""

    def __init__(self, *, customers: int, managers: int, seed: int, batch_size: int, log):
        self.total = customers
        self.manager_count = managers
        self.rng = random.Random(seed)
        self.batch_size = batch_size
        self.log = log
        self.today = timezone.localdate()
        self.counts: Tally[str] = Tally()

    def step(self, label: str, function, *args):
        started = time.monotonic()
        result = function(*args)
        self.log(f"  {label}: {time.monotonic() - started:.1f} s")
        return result

    def run(self) -> Tally[str]:
        self.step("users and groups", self.ensure_people)
        self.step("regions", self.ensure_regions)
        generated = self.step("customers, contacts, interactions, rights, requests, trail", self.write_customers)
        self.step("number counters", self.write_counters, generated)
        context = DatasetContext(
            today=self.today,
            rng=self.rng,
            director=self.director,
            users=self.users,
            batch_size=self.batch_size,
            log=self.log,
        )
        for dataset_step in registry.dataset_steps:
            made = self.step(dataset_step.key, lambda s=dataset_step: s.run(customers=generated, context=context))
            self.counts.update(made)
        return self.counts

    def analyze(self) -> None:
        """Refresh the planner's statistics: after a bulk load of this size they say the tables are empty.

        PostgreSQL's autovacuum would analyze them some time later; until then it plans for a few dozen rows. It
        would also vacuum them, which marks the pages all-visible: until then no index-only scan (the list's
        count, the approvals badge) can skip the table's rows. Run once the data is committed: VACUUM refuses to
        run inside a transaction, so inside a caller's own (a test's) this only analyzes.
        """
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")

    # ---- People and places -------------------------------------------------------------------------------

    def ensure_people(self) -> None:
        password = make_password(vocab.PASSWORD)
        taken: set[str] = set(User.objects.values_list("first_name", flat=True))
        specs = [("director", SALES_DIRECTOR, False), ("archivist", ARCHIVIST, False), ("admin", None, True)]
        specs += [(f"manager{n:03d}", ACCOUNT_MANAGER, False) for n in range(1, self.manager_count + 1)]
        specs += [(f"clerk_{code}", CLERK, False) for code, _name, _order in vocab.REGIONS]
        known = set(User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", flat=True))
        new_users = []
        for username, _role, superuser in specs:
            if username in known:
                continue
            full_name, _pinyin, _gender = vocab._person(self.rng, taken)
            new_users.append(
                User(
                    username=username,
                    first_name=full_name,
                    email=f"{username}@example.com",
                    password=password,
                    is_staff=superuser,
                    is_superuser=superuser,
                )
            )
        bulk_insert(User, new_users, self.batch_size)
        self.counts["users"] += len(new_users)
        users = {u.username: u for u in User.objects.filter(username__in=[s[0] for s in specs])}
        roles = {g.name: g for g in Group.objects.filter(name__in=[SALES_DIRECTOR, ARCHIVIST, ACCOUNT_MANAGER, CLERK])}
        memberships = [
            User.groups.through(user_id=users[username].pk, group_id=roles[role].pk)
            for username, role, _superuser in specs
            if role
        ]
        User.groups.through.objects.bulk_create(memberships, batch_size=self.batch_size, ignore_conflicts=True)
        self.users = {u.pk: u for u in users.values()}
        self.director = users["director"]
        self.managers = [users[f"manager{n:03d}"] for n in range(1, self.manager_count + 1)]
        self.clerk_groups = {}
        for code, name, _order in vocab.REGIONS:
            group, made = Group.objects.get_or_create(name=f"{name}内勤")
            self.counts["clerk groups"] += made
            users[f"clerk_{code}"].groups.add(group)
            self.clerk_groups[code] = group

    def ensure_regions(self) -> None:
        known = set(Region.objects.values_list("code", flat=True))
        made = [Region(code=c, name=n, sort_order=o) for c, n, o in vocab.REGIONS if c not in known]
        bulk_insert(Region, made, self.batch_size)
        when = timezone.now()
        insert_history(historical_row(r, when=when, actor=self.director, reason="演示数据：建立销售区域") for r in made)
        self.counts["regions"] += len(made)
        self.regions = {r.code: r for r in Region.objects.all()}

    # ---- Customers and what hangs on them ----------------------------------------------------------------

    def write_customers(self) -> list[GeneratedCustomer]:
        self.codes = set(Customer.all_objects.exclude(credit_code="").values_list("credit_code", flat=True))
        self.names = set(Customer.all_objects.values_list("name", flat=True))
        self.templates = [c for c in vocab.COMPANIES if c.kind != "person"]
        self.cities = list(vocab.CITIES.items())
        self.brands = sorted({c.short[:2] for c in vocab.COMPANIES})
        self.trades = sorted({c.short[2:] for c in vocab.COMPANIES if len(c.short) >= 4})
        self.year_numbers = Tally(
            {
                int(key.rsplit("-", 1)[1]): value
                for key, value in Counter.objects.filter(key__regex=r"^KH-\d{4}$").values_list("key", "value")
            }
        )
        ct = ContentType.objects.get_for_model(Customer)
        self.content_type = ct
        self.perm = {
            action: Permission.objects.get(content_type=ct, codename=OBJECT_PERMISSION[action]).pk
            for action in KEEPER_ACTIONS
        }
        generated: list[GeneratedCustomer] = []
        for offset in range(0, self.total, self.batch_size):
            size = min(self.batch_size, self.total - offset)
            generated.extend(self.write_batch([self.plan_customer(offset + i) for i in range(size)]))
            self.log(f"    {offset + size:,} / {self.total:,} customers")
        return generated

    def unique_name(self, city: str, kind: str) -> tuple[str, str]:
        rng = self.rng
        for attempt in range(50):
            short = rng.choice(self.brands) + rng.choice(self.trades)
            name = f"{city}{short}{rng.choice(NAME_SUFFIXES[kind])}"
            if attempt > 10:
                name = f"{city}{short}{rng.choice(('第一', '第二', '第三', '东方', '北方'))}{NAME_SUFFIXES[kind][0]}"
            if attempt > 20:
                name = f"{name[:-4]}{rng.randint(2, 99)}分公司"
            if name not in self.names:
                self.names.add(name)
                return name, short
        raise CommandError("Ran out of distinct customer names.")

    def unique_code(self, kind: str, division: str) -> str:
        while True:
            code = vocab.credit_code(self.rng, kind, division)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def plan_customer(self, index: int) -> dict:
        """One customer's card, its story and its records, as plain values."""
        rng = self.rng
        template = rng.choice(self.templates)
        city_name, city = rng.choice(self.cities)
        district = rng.choice(city.districts)
        name, short = self.unique_name(city_name, template.kind)
        large = index % LARGE_EVERY == 0
        lifecycle = "current" if large else _weighted(rng, LIFECYCLES)
        tier = "key" if large else _weighted(rng, TIERS)
        status = FilingStatus.FILED if large else _weighted(rng, STATUSES)
        sales_grade = (Grade.A if large else _weighted(rng, SALES_GRADES)) if lifecycle == "current" else Grade.D
        opened = self.today - datetime.timedelta(days=rng.randint(30, 1500))
        founded = datetime.date(rng.randint(1985, 2020), rng.randint(1, 12), rng.randint(1, 28))
        capital = Decimal(rng.choice((50, 100, 200, 500, 1000, 2000, 5000))) * 10_000
        legal, _gender = _person(rng)
        owner = rng.choice(self.managers)
        co_owner = None
        if (large or rng.random() < 0.05) and len(self.managers) > 1:
            co_owner = rng.choice([m for m in self.managers if m.pk != owner.pk])
        card = {
            "name": name,
            "short_name": short,
            "credit_code": self.unique_code(template.kind, district.division_code),
            "legal_representative": legal,
            "registered_capital": capital,
            "founded_on": founded,
            "organisation_form": rng.choice(ORGANISATION_FORMS[template.kind]),
            "industry": template.industry,
            "business_scope": f"{template.industry}；相关产品的研发、生产、销售；货物及技术进出口。",
            "total_assets": capital * rng.randint(2, 8),
            "employees": rng.randint(5, 2000),
            "annual_sales": capital * rng.randint(1, 20),
            "address": f"{city.province}{city_name}市{district.name}{rng.choice(district.roads)}{rng.randint(1, 99)}号",
            "postcode": district.postcode,
            "phone": vocab._phone(rng, city),
            "fax": vocab._phone(rng, city) if rng.random() < 0.4 else "",
            "email": f"info{index + 1:06d}@example.cn",
            "first_deal_on": opened if lifecycle != "potential" else None,
            "data_source": rng.choice(("visit", "visit", "customer_form", "agency", "public_records")),
            "nature": template.nature,
            "ownership": template.ownership,
            "channel": template.channel,
            "location_type": rng.choice(("commercial", "traffic_hub", "residential", "other")),
            "lifecycle": lifecycle,
            "tier": tier,
            "sales_grade": sales_grade if lifecycle == "current" else "",
            "grade": sales_grade,
            "chain_position": "end_customer" if template.channel == "end_user" else "intermediary",
            "region": self.regions[city.region],
            "route": city.route,
            "visit_order": rng.randint(1, 30),
            "best_visit_time": rng.choice(vocab.BEST_VISIT_TIMES),
            "sales_capability": rng.choice(("年销售额稳定增长", "渠道覆盖本地主要工业园区", "以工程项目采购为主")),
            "cooperation_attitude": rng.choice(("合作积极，回款及时", "看重价格，比价较多", "重视服务响应速度")),
            "owner": owner,
        }
        role_group = {"end_user": "end_user"}.get(template.channel, "intermediary")
        if template.kind in ("gov", "inst"):
            role_group = "public"
        n_contacts = rng.randint(12, 20) if large else rng.randint(1, 4)
        contacts = []
        for position in range(n_contacts):
            person, gender = _person(rng)
            role = rng.choice(vocab.EXECUTIVE_ROLES[template.kind]) if position == 0 else None
            role = role or rng.choice(vocab.STAFF_ROLES[role_group])
            contacts.append(
                {
                    "name": person,
                    "gender": gender,
                    "title": role.title,
                    "department": role.department,
                    "department_role": role.department_role,
                    "level": role.level,
                    "is_key_person": position < 2,
                    "phone": vocab._phone(rng, city),
                    "mobile": vocab._mobile(rng),
                    "education": rng.choice(vocab.EDUCATION),
                    "personality": rng.choice(vocab.PERSONALITY) if position < 2 else "",
                    "hobbies": rng.choice(vocab.HOBBIES) if position < 2 else "",
                }
            )
        if lifecycle == "potential":
            templates, count, window = vocab.PROSPECT_TEMPLATES, rng.randint(0, 3), 180
        elif lifecycle == "past":
            templates, count, window = vocab.LAPSED_TEMPLATES, rng.randint(0, 3), 540
        else:
            templates, count, window = vocab.CURRENT_TEMPLATES, rng.randint(1, 4), 540
        if large:
            count, window = 150, 900
        interactions = []
        keepers = [owner] + ([co_owner] if co_owner else [])
        for _n in range(count):
            template_i = rng.choice(templates)
            person = contacts[rng.randrange(len(contacts))]
            occurred = self.today - datetime.timedelta(days=rng.randint(0, window))
            values = {
                "person": f"{person['name']}（{person['title']}）",
                "product": rng.choice(vocab.PRODUCTS),
                "short": short,
                "qty": rng.randint(2, 20),
                "amount": rng.randint(3, 80),
                "day": rng.randint(5, 28),
            }
            interactions.append(
                {
                    "kind": template_i.kind,
                    "occurred_on": occurred,
                    "staff": rng.choice(keepers),
                    "their_people": values["person"],
                    "subject": template_i.subject,
                    "content": template_i.content.format(**values),
                    "next_step": template_i.next_step,
                    "next_step_on": occurred + datetime.timedelta(days=rng.randint(3, 30))
                    if template_i.next_step
                    else None,
                }
            )
        submitted = opened + datetime.timedelta(days=rng.randint(1, 10))
        return {
            "card": card,
            "status": status,
            "opened": opened,
            "submitted": submitted,
            "decided": min(self.today, submitted + datetime.timedelta(days=rng.randint(0, 5))),
            "co_owner": co_owner,
            "contacts": contacts,
            "interactions": interactions,
            "large": large,
        }

    def write_batch(self, plans: list[dict]) -> list[GeneratedCustomer]:
        director = self.director
        customers = []
        for plan in plans:
            customer = Customer(**plan["card"], status=plan["status"])
            self.file_card(customer, plan)
            customers.append(customer)
        bulk_insert(Customer, customers, self.batch_size)

        # Filing requests: every card beyond a draft was submitted by its owner; the director decided most.
        requests = []
        for customer, plan in zip(customers, plans, strict=True):
            if customer.status == FilingStatus.DRAFT:
                plan["request"] = None
                continue
            state = {
                FilingStatus.FILED: FilingRequest.State.APPROVED,
                FilingStatus.PENDING: FilingRequest.State.PENDING,
                FilingStatus.RETURNED: FilingRequest.State.RETURNED,
            }[customer.status]
            decided = plan["decided"]
            request = FilingRequest(
                kind=FilingRequest.Kind.FILING,
                state=state,
                content_type=self.content_type,
                object_id=customer.pk,
                customer_id=customer.pk,
                author_id=customer.owner_id,
                author_name=self.users[customer.owner_id].first_name,
                note=SUBMIT_NOTE,
                base_version=1,
                decided_by=director if state != FilingRequest.State.PENDING else None,
                decided_by_name=director.first_name if state != FilingRequest.State.PENDING else "",
                decided_at=self.moment(decided) if state != FilingRequest.State.PENDING else None,
                comment=RETURN_COMMENT if state == FilingRequest.State.RETURNED else "",
            )
            plan["request"] = request
            requests.append(request)
        bulk_insert(FilingRequest, requests, self.batch_size)
        # ``auto_now_add`` stamped them now; a request was submitted when the owner submitted it.
        for request, plan in ((p["request"], p) for p in plans if p["request"] is not None):
            request.submitted_at = self.moment(plan["submitted"])
        FilingRequest.objects.bulk_update(
            [p["request"] for p in plans if p["request"] is not None], ["submitted_at"], batch_size=self.batch_size
        )

        history = []
        coowners, contacts, interactions, user_perms, group_perms = [], [], [], [], []
        for customer, plan in zip(customers, plans, strict=True):
            owner = self.users[customer.owner_id]
            history.extend(self.card_trail(customer, plan, owner))
            keepers = [owner.pk]
            if plan["co_owner"] is not None:
                coowners.append(CoOwner(customer_id=customer.pk, user_id=plan["co_owner"].pk))
                keepers.append(plan["co_owner"].pk)
            for user_id in keepers:
                for action in KEEPER_ACTIONS:
                    user_perms.append(
                        CustomerUserObjectPermission(
                            user_id=user_id, permission_id=self.perm[action], content_object_id=customer.pk
                        )
                    )
            region_code = plan["card"]["region"].code
            group_perms.append(
                CustomerGroupObjectPermission(
                    group_id=self.clerk_groups[region_code].pk,
                    permission_id=self.perm[Action.VIEW],
                    content_object_id=customer.pk,
                )
            )
            for data in plan["contacts"]:
                contacts.append((Contact(customer_id=customer.pk, **data), owner, plan["opened"]))
            for data in plan["interactions"]:
                interactions.append((Interaction(customer_id=customer.pk, **data), data["staff"], data["occurred_on"]))
        bulk_insert(CoOwner, coowners, self.batch_size)
        bulk_insert(CustomerUserObjectPermission, user_perms, self.batch_size)
        bulk_insert(CustomerGroupObjectPermission, group_perms, self.batch_size)
        bulk_insert(Contact, [c for c, _u, _d in contacts], self.batch_size)
        bulk_insert(Interaction, [i for i, _u, _d in interactions], self.batch_size)
        when = {c.pk: self.moment(p["opened"], hour=9) for c, p in zip(customers, plans, strict=True)}
        history.extend(
            historical_row(row, when=when[row.customer_id], actor=self.director, reason=_("Co-manager added"))
            for row in coowners
        )
        history.extend(
            historical_row(contact, when=self.moment(day), actor=actor, reason=_("Contact added"))
            for contact, actor, day in contacts
        )
        history.extend(
            historical_row(interaction, when=self.moment(day), actor=actor, reason=_("Interaction recorded"))
            for interaction, actor, day in interactions
        )
        self.counts["history rows"] += insert_history(history, self.batch_size)
        self.counts.update(
            {
                "customers": len(customers),
                "co-managers": len(coowners),
                "contacts": len(contacts),
                "interactions": len(interactions),
                "filing requests": len(requests),
                "user rights": len(user_perms),
                "group rights": len(group_perms),
            }
        )
        return [
            GeneratedCustomer(
                pk=c.pk,
                owner_id=c.owner_id,
                status=c.status,
                lifecycle=c.lifecycle,
                tier=c.tier,
                opened_on=p["opened"],
                filed_at=c.filed_at,
                many_records=p["large"],
            )
            for c, p in zip(customers, plans, strict=True)
        ]

    def moment(self, day: datetime.date, *, hour: int | None = None) -> datetime.datetime:
        hour = self.rng.randint(8, 18) if hour is None else hour
        naive = datetime.datetime.combine(day, datetime.time(hour, self.rng.randint(0, 59)))
        return timezone.make_aware(naive)

    def card_trail(self, customer: Customer, plan: dict, owner) -> list:
        """The card's versions as the services and the filing workflow write them, the current one last.

        The card is inserted in its final state; the earlier versions are historical rows of the same values
        with the state, version and (no) number each step had.
        """
        director, request = self.director, plan["request"]
        unfiled = {"archive_no": "", "entry_no": None, "filed_at": None}
        steps = [(plan["opened"], owner, _("Card created"), "+", {**unfiled, "status": "draft", "version": 1})]
        if request is not None:
            submitted = _("Submitted for filing (request #%(number)s)") % {"number": request.pk}
            steps.append((plan["submitted"], owner, submitted, "~", {**unfiled, "status": "pending", "version": 2}))
        if customer.status == FilingStatus.FILED:
            filed = _("Filed: approved filing request #%(number)s") % {"number": request.pk}
            steps.append((plan["decided"], director, filed, "~", {}))
        elif customer.status == FilingStatus.RETURNED:
            returned = _("Returned (request #%(number)s): %(comment)s") % {
                "number": request.pk,
                "comment": RETURN_COMMENT,
            }
            steps.append((plan["decided"], director, returned, "~", {}))
        rows = []
        for day, actor, reason, kind, state in steps:
            row = historical_row(customer, when=self.moment(day), actor=actor, reason=reason, kind=kind)
            for name, value in state.items():
                setattr(row, name, value)
            rows.append(row)
        return rows

    def file_card(self, customer: Customer, plan: dict) -> None:
        """Give the card the state, version and number its story ends with, before it is inserted."""
        customer.version = {"draft": 1, "pending": 2, "returned": 3, "filed": 3}[customer.status]
        if customer.status == FilingStatus.FILED:
            filed_at = self.moment(plan["decided"])
            self.year_numbers[filed_at.year] += 1
            customer.archive_no = filing.archive_number(filed_at.year, self.year_numbers[filed_at.year])
            customer.entry_no = 1
            customer.filed_at = filed_at

    def write_counters(self, generated: list[GeneratedCustomer]) -> None:
        """Set the number sequences past every number given, so the next approval continues them."""
        keys = [f"{filing.ARCHIVE_NUMBER_PREFIX}/{c.pk}/1" for c in generated if c.status == FilingStatus.FILED]
        Counter.objects.bulk_create([Counter(key=key, value=1) for key in keys], batch_size=self.batch_size)
        for year, value in self.year_numbers.items():
            Counter.objects.update_or_create(key=f"{filing.ARCHIVE_NUMBER_PREFIX}-{year}", defaults={"value": value})
        self.counts["number counters"] += len(keys)
