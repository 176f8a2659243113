"""The classifications of the archive card (客户分类), as the seeds define them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from archive.choices import Grade  # noqa: F401 - re-exported: the grade is part of the card's classification


class DataSource(models.TextChoices):
    """Where the card's data came from (资料来源); a customer's own form is to be verified."""

    VISIT = "visit", _("Salesperson visit")
    CUSTOMER_FORM = "customer_form", _("Form filled by the customer (to be verified)")
    AGENCY = "agency", _("Investigation agency")
    PUBLIC_RECORDS = "public_records", _("Public records")


class OrganisationForm(models.TextChoices):
    LIMITED = "limited", _("Limited liability company")
    JOINT_STOCK = "joint_stock", _("Company limited by shares")
    PARTNERSHIP = "partnership", _("Partnership")
    SOLE_PROPRIETOR = "sole", _("Sole proprietorship")
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business")
    PUBLIC_INSTITUTION = "institution", _("Public institution")
    OTHER = "other", _("Other")


class Nature(models.TextChoices):
    """客户性质."""

    GOVERNMENT = "government", _("Government body")
    SPECIAL = "special", _("Special company")
    ORDINARY = "ordinary", _("Ordinary company")
    INDIVIDUAL = "individual", _("Individual")
    PARTNER = "partner", _("Trading partner")


class Ownership(models.TextChoices):
    """所有制."""

    STATE = "state", _("State-owned")
    COLLECTIVE = "collective", _("Collective")
    PRIVATE = "private", _("Private")
    JOINT_STOCK = "joint_stock", _("Joint-stock")
    JOINT_VENTURE = "joint_venture", _("Joint venture")
    FOREIGN = "foreign", _("Foreign-owned")


class Channel(models.TextChoices):
    """渠道类型."""

    WHOLESALER = "wholesaler", _("Wholesaler")
    RETAILER = "retailer", _("Retailer")
    AGENT = "agent", _("Agent")
    FRANCHISE = "franchise", _("Franchise store")
    CHAIN = "chain", _("Chain store")
    SPECIALTY = "specialty", _("Specialty store")
    END_USER = "end_user", _("End user")


class LocationType(models.TextChoices):
    """地段."""

    COMMERCIAL = "commercial", _("Commercial centre")
    TRAFFIC_HUB = "traffic_hub", _("Traffic hub")
    RESIDENTIAL = "residential", _("Residential area")
    OTHER = "other", _("Other")


class Lifecycle(models.TextChoices):
    """By time: future, present and past customers (未来、现在、过去客户)."""

    POTENTIAL = "potential", _("Potential")
    CURRENT = "current", _("Current")
    PAST = "past", _("Past")


class Tier(models.TextChoices):
    """By volume and standing: key, general and sporadic customers (主力、一般、零散客户)."""

    KEY = "key", _("Key")
    GENERAL = "general", _("General")
    SPORADIC = "sporadic", _("Sporadic")


class ChainPosition(models.TextChoices):
    INTERMEDIARY = "intermediary", _("Intermediary")
    END_CUSTOMER = "end_customer", _("End customer")


class DepartmentRole(models.TextChoices):
    """The contact's role in the customer's buying (使用、采购、支持部门)."""

    USING = "using", _("Using department")
    PURCHASING = "purchasing", _("Purchasing department")
    SUPPORT = "support", _("Support department")
    OTHER = "other", _("Other")


class ContactLevel(models.TextChoices):
    USER = "user", _("User")
    MAINTENANCE = "maintenance", _("Maintenance")
    MANAGEMENT = "management", _("Management")
    EXECUTIVE = "executive", _("Executive")


class Gender(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")


class InteractionKind(models.TextChoices):
    """交往记录的方式."""

    VISIT = "visit", _("Visit")
    CALL = "call", _("Phone call")
    LETTER = "letter", _("Letter")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Meeting")


class AttachmentKind(models.TextChoices):
    BUSINESS_LICENCE = "licence", _("Business licence")
    ID_COPY = "id_copy", _("ID copy")
    SIGNED_FORM = "signed_form", _("Signed form")
    OTHER = "other", _("Other")
